import CTextScan

/// Small UTF-8 helpers that work on raw bytes, for the hot loops.
enum UTF8Encoding {
    /// Appends the UTF-8 encoding of scalar value `v` (assumed valid).
    @inline(__always)
    static func append(_ v: UInt32, to out: inout [UInt8]) {
        if v < 0x80 {
            out.append(UInt8(v))
        } else if v < 0x800 {
            out.append(UInt8(0xC0 | (v >> 6)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else if v < 0x10000 {
            out.append(UInt8(0xE0 | (v >> 12)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        } else {
            out.append(UInt8(0xF0 | (v >> 18)))
            out.append(UInt8(0x80 | ((v >> 12) & 0x3F)))
            out.append(UInt8(0x80 | ((v >> 6) & 0x3F)))
            out.append(UInt8(0x80 | (v & 0x3F)))
        }
    }

    /// Writes the UTF-8 encoding of scalar value `v` (assumed valid) at `p`; returns its length.
    /// For hot loops writing into a buffer sized in advance.
    @inline(__always)
    static func store(_ v: UInt32, at p: UnsafeMutablePointer<UInt8>) -> Int {
        if v < 0x80 {
            p[0] = UInt8(v)
            return 1
        } else if v < 0x800 {
            p[0] = UInt8(0xC0 | (v >> 6))
            p[1] = UInt8(0x80 | (v & 0x3F))
            return 2
        } else if v < 0x10000 {
            p[0] = UInt8(0xE0 | (v >> 12))
            p[1] = UInt8(0x80 | ((v >> 6) & 0x3F))
            p[2] = UInt8(0x80 | (v & 0x3F))
            return 3
        } else {
            p[0] = UInt8(0xF0 | (v >> 18))
            p[1] = UInt8(0x80 | ((v >> 12) & 0x3F))
            p[2] = UInt8(0x80 | ((v >> 6) & 0x3F))
            p[3] = UInt8(0x80 | (v & 0x3F))
            return 4
        }
    }

    /// Length of the sequence that starts with lead byte `b` in *valid* UTF-8.
    @inline(__always)
    static func sequenceLength(_ b: UInt8) -> Int {
        b < 0x80 ? 1 : (b < 0xE0 ? 2 : (b < 0xF0 ? 3 : 4))
    }

    /// Decodes the scalar at `i` of *valid* UTF-8; returns nil if the buffer ends early.
    @inline(__always)
    static func scalar(at i: Int, in p: UnsafeBufferPointer<UInt8>) -> (value: UInt32, length: Int)? {
        let b = p[i]
        if b < 0x80 { return (UInt32(b), 1) }
        let len = sequenceLength(b)
        guard i + len <= p.count else { return nil }
        var v: UInt32
        switch len {
        case 2: v = UInt32(b & 0x1F)
        case 3: v = UInt32(b & 0x0F)
        default: v = UInt32(b & 0x07)
        }
        for k in 1..<len { v = (v << 6) | UInt32(p[i + k] & 0x3F) }
        return (v, len)
    }

    /// Whitespace other than ASCII: NEL, NBSP, Ogham space, U+2000–U+200A, line and paragraph
    /// separators, narrow NBSP, medium math space, ideographic space.
    @inline(__always)
    static func isUnicodeSpace(_ v: UInt32) -> Bool {
        switch v {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// Invisible characters that are dropped entirely: ZWSP, ZWNJ, ZWJ, word joiner, BOM.
    @inline(__always)
    static func isZeroWidth(_ v: UInt32) -> Bool {
        switch v {
        case 0x200B...0x200D, 0x2060, 0xFEFF: true
        default: false
        }
    }

    /// ASCII spaces (0x20) in `range` of `bytes`.
    static func spaceCount(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int {
        guard let base = bytes.baseAddress, !range.isEmpty else { return 0 }
        return inboxd_count_byte(base.assumingMemoryBound(to: UInt8.self) + range.lowerBound, range.count, 0x20)
    }

    /// ASCII whitespace as Python's `str.isspace()` sees it (space, \t \n \v \f \r, \x1c–\x1f).
    @inline(__always)
    static func isASCIISpace(_ b: UInt8) -> Bool {
        b == 0x20 || (b >= 0x09 && b <= 0x0D) || (b >= 0x1C && b <= 0x1F)
    }
}
