/// One pass over bytes that are hoped to be UTF-8: validity, NULs, controls, visible content.
struct UTF8Scan {
    var firstInvalid: Int?
    var invalidCount = 0
    var validMultibyte = 0
    var firstNUL: Int?
    var controls = 0
    /// True once a character other than whitespace, zero-width or BOM was seen.
    var hasContent = false
    /// As ``Composition/mightNeedNFC(_:)`` for the valid part.
    var mightNeedNFC = false

    init(_ p: UnsafeBufferPointer<UInt8>) {
        var i = 0
        let n = p.count
        let raw = UnsafeRawBufferPointer(p)
        while i < n {
            // Eight printable ASCII bytes at a time: no high bit, no byte below 0x20.
            if hasContent && i + 8 <= n {
                let w = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let high: UInt64 = 0x8080_8080_8080_8080
                // Flags bytes >= 0x80 or < 0x20; the lowest flag is always a true one.
                let flags = (w & high) | ((w &- 0x2020_2020_2020_2020) & ~w & high)
                if flags == 0 {
                    i += 8
                    continue
                }
                let plain = flags.trailingZeroBitCount / 8
                if plain > 0 {
                    i += plain
                    continue
                }
            }
            let b = p[i]
            // Two-byte letters below U+0300 (most of Vietnamese's: â ê ô ă đ ơ ư and the toned
            // a e i o u y of Latin-1) once content has been seen: NFC-stable, nothing to decode.
            if hasContent && b >= 0xC2 && b < 0xCC && i + 1 < n && p[i + 1] & 0xC0 == 0x80 {
                validMultibyte += 1
                i += 2
                continue
            }
            // Precomposed Vietnamese (E1 B8–BB xx: U+1E00–U+1EFF), likewise.
            if hasContent && b == 0xE1 && i + 2 < n && p[i + 1] >= 0xB8 && p[i + 1] <= 0xBB && p[i + 2] & 0xC0 == 0x80 {
                validMultibyte += 1
                i += 3
                continue
            }
            if b < 0x80 {
                if b < 0x20 {
                    if b == 0 {
                        if firstNUL == nil { firstNUL = i }
                    } else if b != 0x09 && b != 0x0A && b != 0x0D && b != 0x0C {
                        controls += 1
                    }
                    if !UTF8Encoding.isASCIISpace(b) { hasContent = true }
                } else if b != 0x20 {
                    hasContent = true
                }
                i += 1
                continue
            }
            let len = UTF8Scan.validSequenceLength(p, at: i)
            if len == 0 {
                if firstInvalid == nil { firstInvalid = i }
                invalidCount += 1
                // A lone high byte is content in whatever encoding it turns out to be.
                hasContent = true
                i += 1
                continue
            }
            validMultibyte += 1
            // Precomposed Vietnamese (E1 B8–BB: U+1E00–U+1EFF) is stable under NFC; other
            // scalars from U+0300 up are decoded and looked up.
            if b >= 0xCC && !mightNeedNFC && b == 0xE1 && p[i + 1] >= 0xB8 && p[i + 1] <= 0xBB && hasContent {
                i += len
                continue
            }
            if (!hasContent || (!mightNeedNFC && b >= 0xCC)), let (v, _) = UTF8Encoding.scalar(at: i, in: p) {
                if !hasContent && !UTF8Encoding.isUnicodeSpace(v) && !UTF8Encoding.isZeroWidth(v) { hasContent = true }
                if b >= 0xCC && !Composition.isStable(v) { mightNeedNFC = true }
            }
            i += len
        }
    }

    /// Length of the well-formed multi-byte sequence at `i` (RFC 3629), or 0 if ill-formed.
    @inline(__always)
    static func validSequenceLength(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let n = p.count
        let b = p[i]
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < n && p[i + k] >= lo && p[i + k] <= hi
        }
        switch b {
        case 0xC2...0xDF:
            return cont(1) ? 2 : 0
        case 0xE0:
            return cont(1, 0xA0) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE, 0xEF:
            return cont(1) && cont(2) ? 3 : 0
        case 0xED:
            return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
        case 0xF0:
            return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3:
            return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4:
            return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
        default:
            return 0
        }
    }
}
