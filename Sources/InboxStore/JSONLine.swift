import CTextScan
/// The hand-written JSON writer for log lines (JSONEncoder is several times slower and sorts nothing we need).
///
/// Output is one JSON object and a `\n`. Strings are escaped as RFC 8259 requires and no more: `"` and `\`,
/// control characters (as `\n`, `\t`… or `\u00XX`); everything else, non-ASCII and U+2028/2029 included, is
/// written as its UTF-8 bytes.
enum JSONLine {
    /// `{"type":"article",…}\n`; body last so that `head -c` shows the metadata first.
    static func appendArticle(_ r: ArticleRecord, to out: inout [UInt8]) {
        raw(#"{"type":"article","schema_version":"#, &out)
        int(r.schemaVersion, &out)
        raw(#","id":"#, &out)
        string(r.id, &out)
        raw(#","seq":"#, &out)
        uint(r.seq, &out)
        raw(#","content_hash":"#, &out)
        string(r.contentHash, &out)
        raw(#","hash_version":"#, &out)
        int(r.hashVersion, &out)
        raw(#","raw_hash":"#, &out)
        string(r.rawHash, &out)
        raw(#","title":"#, &out)
        optional(r.title, &out)
        raw(#","title_derived":"#, &out)
        raw(r.titleDerived ? "true" : "false", &out)
        raw(#","published":"#, &out)
        optional(r.published, &out)
        raw(#","author":"#, &out)
        optional(r.author, &out)
        raw(#","source":"#, &out)
        optional(r.source, &out)
        raw(#","url":"#, &out)
        optional(r.url, &out)
        raw(#","language":"#, &out)
        string(r.language, &out)
        raw(#","word_count":"#, &out)
        int(r.wordCount, &out)
        raw(#","encoding":"#, &out)
        string(r.encoding, &out)
        raw(#","bytes":"#, &out)
        int(r.bytes, &out)
        raw(#","source_file":"#, &out)
        string(r.sourceFile, &out)
        raw(#","archived_as":"#, &out)
        string(r.archivedAs, &out)
        raw(#","ingested_at":"#, &out)
        string(r.ingestedAt, &out)
        if !r.duplicates.isEmpty {
            raw(#","duplicates":["#, &out)
            for (i, s) in r.duplicates.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                sightingFields(s, &out)
                out.append(UInt8(ascii: "}"))
            }
            out.append(UInt8(ascii: "]"))
        }
        raw(#","images":"#, &out)
        array(r.images, &out)
        raw(#","captions":"#, &out)
        array(r.captions, &out)
        raw(#","body":"#, &out)
        array(r.body, &out)
        raw("}\n", &out)
    }

    /// `{"type":"sighting","article_id":…,"file":…,"at":…,"kind":…,"raw_hash":…,"stored_as":…}\n`
    static func appendSighting(articleID: String, _ s: DuplicateSighting, to out: inout [UInt8]) {
        raw(#"{"type":"sighting","article_id":"#, &out)
        string(articleID, &out)
        raw(",", &out)
        sightingFields(s, &out, leadingBrace: false)
        raw("}\n", &out)
    }

    private static func sightingFields(_ s: DuplicateSighting, _ out: inout [UInt8], leadingBrace: Bool = true) {
        raw(leadingBrace ? #"{"file":"# : #""file":"#, &out)
        string(s.file, &out)
        raw(#","at":"#, &out)
        string(s.at, &out)
        raw(#","kind":"#, &out)
        string(s.kind.rawValue, &out)
        raw(#","raw_hash":"#, &out)
        string(s.rawHash, &out)
        raw(#","stored_as":"#, &out)
        string(s.storedAs, &out)
    }

    @inline(__always)
    private static func raw(_ s: StaticString, _ out: inout [UInt8]) {
        s.withUTF8Buffer { out.append(contentsOf: $0) }
    }

    private static func int(_ value: Int, _ out: inout [UInt8]) {
        if value < 0 {
            out.append(UInt8(ascii: "-"))
            uint(value.magnitude.toUInt64, &out)
        } else {
            uint(UInt64(value), &out)
        }
    }

    private static func uint(_ value: UInt64, _ out: inout [UInt8]) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // 24 bytes of scratch, enough for 20 digits
        withUnsafeMutableBytes(of: &digits) { scratch in
            var v = value
            var i = scratch.count
            repeat {
                i -= 1
                scratch[i] = UInt8(truncatingIfNeeded: v % 10) &+ 0x30
                v /= 10
            } while v > 0
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[i...]))
        }
    }

    private static func optional(_ value: String?, _ out: inout [UInt8]) {
        if let value { string(value, &out) } else { raw("null", &out) }
    }

    private static func array(_ values: [String], _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "["))
        for (i, value) in values.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            string(value, &out)
        }
        out.append(UInt8(ascii: "]"))
    }

    private static let hexDigits: StaticString = "0123456789abcdef"

    /// A JSON string literal: runs of plain bytes are copied in bulk.
    static func string(_ value: String, _ out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Read in place: a `var` copy for `withUTF8` retained and released every string, whose
        // reference count lives on a cache line of the parsing thread that made it.
        if value.utf8.withContiguousStorageIfAvailable({ escaped($0, &out) }) == nil {
            var copy = value
            copy.withUTF8 { escaped($0, &out) }
        }
        out.append(UInt8(ascii: "\""))
    }

    private static func escaped(_ bytes: UnsafeBufferPointer<UInt8>, _ out: inout [UInt8]) {
        var runStart = 0
        var i = 0
        while i < bytes.count {
            // Bodies are long runs of plain text: skip 32 or 16, then eight bytes at a time while
            // none of them needs escaping (profiled: byte by byte this was a fifth of the ingest thread).
            if let base = bytes.baseAddress {
                i = inboxd_json_plain_skip(base, bytes.count, i)
                while i + 8 <= bytes.count, !Self.needsEscape(UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)) {
                    i += 8
                }
            }
            guard i < bytes.count else { break }
            let byte = bytes[i]
            i += 1
            guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
            let escapeAt = i - 1
            if runStart < escapeAt { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<escapeAt])) }
            runStart = i
            out.append(UInt8(ascii: "\\"))
            switch byte {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            default:
                raw("u00", &out)
                hexDigits.withUTF8Buffer { digits in
                    out.append(digits[Int(byte >> 4)])
                    out.append(digits[Int(byte & 0xF)])
                }
            }
        }
        if runStart < bytes.count {
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<bytes.count]))
        }
    }

    /// Whether any of eight bytes is a control byte, `"` or `\` (SWAR: a byte's high bit is set
    /// in `x - 0x01...` and clear in `x` exactly when it was zero).
    @inline(__always)
    static func needsEscape(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroInQuote = (quote &- ones) & ~quote
        let zeroInBackslash = (backslash &- ones) & ~backslash
        // Below 0x20: subtracting 0x20 borrows into the high bit only for such bytes (bytes with the
        // high bit set are masked out by ~word).
        let control = (word &- (ones &* 0x20)) & ~word
        return (zeroInQuote | zeroInBackslash | control) & highs != 0
    }
}

extension UInt {
    fileprivate var toUInt64: UInt64 { UInt64(self) }
}
