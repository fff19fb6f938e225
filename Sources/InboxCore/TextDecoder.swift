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
                return (String(knownValidUTF8: UnsafeBufferPointer(rebasing: all[range])), encoding)
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
