import CTextScan

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
        self = CleanBytes.table.withUnsafeBufferPointer { UTF8Scan(p, cleanBytes: $0.baseAddress!) }
    }

    private init(_ p: UnsafeBufferPointer<UInt8>, cleanBytes: UnsafePointer<UInt8>) {
        var i = 0
        let n = p.count
        let raw = UnsafeRawBufferPointer(p)
        while i < n {
            if hasContent {
                let (end, letters) = Self.cleanRunEnd(p, from: i, table: cleanBytes)
                if end > i {
                    validMultibyte += letters
                    i = end
                    continue
                }
            }
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

    /// End of the run from `i` (a character boundary, after content) of characters that change
    /// nothing in the scan but `validMultibyte`: printable ASCII, tab, line ends, form feed, the
    /// letters below U+0300 (C2–CB xx) and precomposed Vietnamese (E1 B8–BB xx). Returns the
    /// run's end (a character boundary) and its multi-byte characters.
    ///
    /// Whether byte j may continue the run depends only on it and the two bytes before it (see
    /// ``CleanBytes``): no state is carried from byte to byte and no branch taken until the run
    /// ends. Stepping a character at a time mispredicted at nearly every accented letter.
    @inline(__always)
    static func cleanRunEnd(_ p: UnsafeBufferPointer<UInt8>, from i: Int, table: UnsafePointer<UInt8>) -> (Int, Int) {
        let n = p.count
        guard i >= 2, let base = p.baseAddress else { return (i, 0) }
        let accepts = table
        let flags = table + CleanBytes.flagsOffset
        // Whole blocks the same rule accepts are skipped sixteen bytes at a time; the walk below
        // goes on from the first byte it refuses (or the last short block).
        var letters = 0
        var j = inboxd_clean_run_skip(base, n, i, &letters)
        // Flags of the two bytes before j, carried along so each byte is loaded once.
        var flags2 = flags[Int(base[j - 2])]
        var flags1 = flags[Int(base[j - 1])]
        while j < n {
            let b = base[j]
            let need = CleanBytes.need(flags1, flags2)
            let verdict = accepts[Int(need) << 8 | Int(b)]
            if verdict == 0 { break }
            letters &+= Int(verdict >> 1)
            flags2 = flags1
            flags1 = flags[Int(b)]
            j += 1
        }
        // Stop on a character boundary: a lead whose continuation failed (or is cut off by the
        // end of input) is left to the careful path, and so is not counted.
        if CleanBytes.need(flags1, flags2) != 0 {
            j -= flags1 & CleanBytes.leadMask != 0 ? 1 : 2
            letters -= 1
        }
        return (j, letters)
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

/// Tables for ``UTF8Scan/cleanRunEnd(_:from:table:)``: `accepts[need << 8 | byte]` is 0 (the
/// run ends), 1 (the byte continues it) or 2 (it also starts a multi-byte letter). `need`, from
/// the flags of the two bytes before, is 0 at a character start, 1 where a continuation byte must
/// come, 3 where it must be B8–BB (right after E1).
enum CleanBytes {
    static let flagsOffset = 1024
    /// In a byte's flags: what it requires of the next byte (1 or 3: it is a lead).
    static let leadMask: UInt8 = 3
    /// In a byte's flags: it is E1, so the byte after the next must be a continuation too.
    static let threeByteLead: UInt8 = 4

    @inline(__always)
    static func need(_ flags1: UInt8, _ flags2: UInt8) -> UInt8 {
        (flags1 & leadMask) | ((flags2 & threeByteLead) >> 2)
    }

    /// accepts[1024], flags[256].
    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 1280)
        for b in 0..<256 {
            switch b {
            case 0x09, 0x0A, 0x0C, 0x0D, 0x20...0x7E: t[b] = 1
            case 0xC2...0xCB, 0xE1: t[b] = 2
            default: break
            }
            if (0x80...0xBF).contains(b) { t[1 << 8 | b] = 1 }
            if (0xB8...0xBB).contains(b) { t[3 << 8 | b] = 1 }
            switch b {
            case 0xC2...0xCB: t[flagsOffset + b] = 1
            case 0xE1: t[flagsOffset + b] = 3 | threeByteLead
            default: break
            }
        }
        return t
    }()
}
