/// Turns the raw bytes of an inbox file into text, or says why it cannot.
///
/// Accepted: UTF-8 with or without BOM, UTF-16 LE/BE with BOM, and Windows-1258 when the bytes
/// are not UTF-8 at all. A file that is mostly valid UTF-8 with a few broken bytes is treated as
/// corrupt rather than guessed at: see ``decode(_:)``.
public enum TextDecoder {
    /// Rejects a file by its size alone; the daemon calls this with `fstat`'s size before reading.
    ///
    /// - Throws: ``Rejection/tooLarge(size:limit:)`` when `size` exceeds `limits.maxBytes`.
    public static func checkSize(_ size: Int, limits: IngestLimits) throws(Rejection) {
        if size > limits.maxBytes {
            throw .tooLarge(size: size, limit: limits.maxBytes)
        }
    }

    /// Decodes a whole file.
    ///
    /// Contiguous collections (`[UInt8]`, `ArraySlice`, `Data`) are read in place; any other
    /// collection is copied once. The encoding is chosen by BOM (`EF BB BF`, `FF FE`, `FE FF`),
    /// else UTF-8, else Windows-1258. UTF-8 text is returned as it is (NFC is applied later by
    /// ``Normalizer``); Windows-1258 text is composed to NFC because that code page writes tone
    /// marks as separate combining characters.
    ///
    /// - Throws: ``Rejection/empty`` for no bytes or only a BOM; ``Rejection/binary(_:)`` for a NUL
    ///   byte (a NUL character after UTF-16 decoding) or more than 10% C0 control characters other
    ///   than tab, LF, CR and form feed; ``Rejection/undecodable(_:)`` for an odd UTF-16 length, an
    ///   unpaired surrogate, invalid UTF-8 in a file that is mostly valid UTF-8 (or has a UTF-8
    ///   BOM), or a byte Windows-1258 does not define; ``Rejection/whitespaceOnly`` when nothing
    ///   but whitespace, zero-width characters and BOMs remains.
    public static func decode(_ bytes: some Collection<UInt8>) throws(Rejection) -> (text: String, encoding: TextEncoding) {
        let result: Result<(String, TextEncoding), Rejection>
        if let r = bytes.withContiguousStorageIfAvailable({ decodeToString($0) }) {
            result = r
        } else {
            let copy = Array(bytes)
            result = copy.withUnsafeBufferPointer { decodeToString($0) }
        }
        let (text, encoding) = try result.get()
        return (text, encoding)
    }

    /// The outcome of decoding without copying: valid UTF-8 stays in the caller's buffer.
    enum Decoded {
        /// `range` of the buffer is valid UTF-8; `mightNeedNFC` as ``Composition/mightNeedNFC(_:)``.
        case utf8(range: Range<Int>, encoding: TextEncoding, mightNeedNFC: Bool)
        case text(String, TextEncoding)
    }

    private static func decodeToString(_ all: UnsafeBufferPointer<UInt8>) -> Result<(String, TextEncoding), Rejection> {
        decodeInPlace(all).map { decoded in
            switch decoded {
            case .utf8(let range, let encoding, _):
                return (String(decoding: UnsafeBufferPointer(rebasing: all[range]), as: UTF8.self), encoding)
            case .text(let text, let encoding):
                return (text, encoding)
            }
        }
    }

    static func decodeInPlace(_ all: UnsafeBufferPointer<UInt8>) -> Result<Decoded, Rejection> {
        if all.isEmpty { return .failure(.empty) }
        if all.count >= 3 && all[0] == 0xEF && all[1] == 0xBB && all[2] == 0xBF {
            return decodeUTF8(all, from: 3)
        }
        if all.count >= 2 && all[0] == 0xFF && all[1] == 0xFE {
            return UTF16Decoding.decode(UnsafeBufferPointer(rebasing: all[2...]), littleEndian: true)
                .map { .text($0, .utf16LE) }
        }
        if all.count >= 2 && all[0] == 0xFE && all[1] == 0xFF {
            return UTF16Decoding.decode(UnsafeBufferPointer(rebasing: all[2...]), littleEndian: false)
                .map { .text($0, .utf16BE) }
        }
        return decodeUTF8(all, from: 0)
    }

    private static func decodeUTF8(_ all: UnsafeBufferPointer<UInt8>, from offsetBase: Int) -> Result<Decoded, Rejection> {
        let hasBOM = offsetBase > 0
        let p = UnsafeBufferPointer(rebasing: all[offsetBase...])
        if p.isEmpty { return .failure(.empty) }
        let scan = UTF8Scan(p)
        if let nul = scan.firstNUL {
            return .failure(.binary("NUL byte at offset \(offsetBase + nul)"))
        }
        if let detail = controlDensity(scan.controls, of: p.count) {
            return .failure(.binary(detail))
        }
        if let bad = scan.firstInvalid {
            // Real Windows-1258 text has many lone high bytes and, by accident, hardly any valid
            // multi-byte UTF-8 sequence; a damaged UTF-8 file is the other way round. Guessing
            // CP1258 for the latter would store mojibake, so it is rejected instead.
            let mostlyUTF8 = hasBOM || scan.validMultibyte * 8 >= scan.invalidCount
            if mostlyUTF8 {
                let hex = String(p[bad], radix: 16, uppercase: true)
                return .failure(.undecodable(
                    "invalid UTF-8 byte 0x\(hex) at offset \(offsetBase + bad), in a file that is otherwise UTF-8"))
            }
            return Windows1258.decode(p, offsetBase: offsetBase).flatMap { text in
                scan.hasContent ? .success(.text(text, .windows1258)) : .failure(.whitespaceOnly)
            }
        }
        if !scan.hasContent { return .failure(.whitespaceOnly) }
        return .success(.utf8(range: offsetBase..<all.count, encoding: hasBOM ? .utf8BOM : .utf8,
                              mightNeedNFC: scan.mightNeedNFC))
    }

    /// Non-nil (a description) when more than 10% of `total` units are control characters.
    static func controlDensity(_ controls: Int, of total: Int) -> String? {
        guard total > 0, controls * 10 > total else { return nil }
        return "\(controls * 100 / total)% of it is control characters"
    }
}

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
            if b >= 0xCC && !mightNeedNFC && b == 0xE1 && p[i + 1] >= 0xB8 && hasContent {
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
