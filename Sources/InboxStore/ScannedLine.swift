import Glibc

/// What the start-up scan needs from one log line: the fields that go into the index, never the body.
enum ScannedLine: Equatable {
    case article(ScannedArticle)
    case sighting(articleID: String, file: String, kind: DuplicateSighting.Kind, rawHash: String)
    case unreadable(type: String, seq: UInt64?, reason: String)

    /// Scans a line with the fast scanner, falling back to `JSONDecoder` for anything it does not handle (escaped
    /// key fields, unknown types, missing or mistyped fields). Throws if the line is not a JSON object with a
    /// `type`.
    static func scan(_ bytes: UnsafeRawBufferPointer) throws -> ScannedLine {
        if let line = FastLineScanner.scan(bytes) { return line }
        return ScannedLine(try LogLine.decode(bytes, skipBody: true))
    }

    init(_ line: LogLine) {
        switch line {
        case .article(let r):
            self = .article(
                ScannedArticle(
                    schemaVersion: r.schemaVersion, id: r.id, seq: r.seq, contentHash: r.contentHash,
                    rawHash: r.rawHash, sourceFile: r.sourceFile))
        case .sighting(let articleID, let s):
            self = .sighting(articleID: articleID, file: s.file, kind: s.kind, rawHash: s.rawHash)
        case .unreadable(let type, let seq, let reason):
            self = .unreadable(type: type, seq: seq, reason: reason)
        }
    }
}

/// The fields search shows and matches (`GET /v1/search`), read from an article's log line.
public struct ArticleText: Sendable, Equatable {
    public var title: String?
    public var published: String?
    public var author: String?
    public var source: String?
    public var body: [String]

    public init(title: String?, published: String?, author: String?, source: String?, body: [String]) {
        self.title = title
        self.published = published
        self.author = author
        self.source = source
        self.body = body
    }

    init(_ record: ArticleRecord) {
        self.init(title: record.title, published: record.published, author: record.author, source: record.source,
                  body: record.body)
    }
}

struct ScannedArticle: Equatable {
    var schemaVersion: Int
    var id: String
    var seq: UInt64
    var contentHash: String
    var rawHash: String
    var sourceFile: String
}

/// A strict single-pass JSON checker for log lines that pulls out the few top-level fields the index needs.
///
/// It is an accelerator, not an authority: it returns nil for anything it does not fully handle, and the caller
/// asks `JSONDecoder` then. When it does answer, the line is valid JSON (RFC 8259 syntax, valid UTF-8) and every
/// field `ArticleRecord`/`DuplicateSighting` decoding requires is present with the right JSON type. Rebuilding
/// the index of a 5 GB log is then I/O-bound instead of taking minutes.
struct FastLineScanner {
    private let p: UnsafePointer<UInt8>
    private let n: Int
    private var i = 0
    /// Whether `text` is filled in (search) or the text fields are only checked (start-up scan).
    private let keepsText: Bool
    private var text = ArticleText(title: nil, published: nil, author: nil, source: nil, body: [])

    private init(_ p: UnsafePointer<UInt8>, _ n: Int, keepsText: Bool = false) {
        self.p = p
        self.n = n
        self.keepsText = keepsText
    }

    /// An article line's text fields, or nil when the line is not an article the scanner fully handles (the
    /// caller asks `JSONDecoder` then). Unlike `scan`, strings with escapes are decoded, not declined.
    static func articleText(_ bytes: UnsafeRawBufferPointer) -> ArticleText? {
        guard let base = bytes.baseAddress else { return nil }
        var scanner = FastLineScanner(base.assumingMemoryBound(to: UInt8.self), bytes.count, keepsText: true)
        guard case .article = scanner.line() else { return nil }
        return scanner.text
    }

    static func scan(_ bytes: UnsafeRawBufferPointer) -> ScannedLine? {
        guard let base = bytes.baseAddress else { return nil }
        var scanner = FastLineScanner(base.assumingMemoryBound(to: UInt8.self), bytes.count)
        return scanner.line()
    }

    // Field bits.
    private enum F {
        static let type: UInt32 = 1 << 0, schemaVersion: UInt32 = 1 << 1, id: UInt32 = 1 << 2, seq: UInt32 = 1 << 3
        static let contentHash: UInt32 = 1 << 4, hashVersion: UInt32 = 1 << 5, rawHash: UInt32 = 1 << 6
        static let title: UInt32 = 1 << 7, titleDerived: UInt32 = 1 << 8, published: UInt32 = 1 << 9
        static let author: UInt32 = 1 << 10, source: UInt32 = 1 << 11, url: UInt32 = 1 << 12
        static let language: UInt32 = 1 << 13, wordCount: UInt32 = 1 << 14, images: UInt32 = 1 << 15
        static let captions: UInt32 = 1 << 16, body: UInt32 = 1 << 17, encoding: UInt32 = 1 << 18
        static let bytes: UInt32 = 1 << 19, sourceFile: UInt32 = 1 << 20, archivedAs: UInt32 = 1 << 21
        static let ingestedAt: UInt32 = 1 << 22, articleID: UInt32 = 1 << 23, file: UInt32 = 1 << 24
        static let at: UInt32 = 1 << 25, kind: UInt32 = 1 << 26, storedAs: UInt32 = 1 << 27

        static let article: UInt32 =
            type | schemaVersion | id | seq | contentHash | hashVersion | rawHash | titleDerived | language
            | wordCount | images | captions | body | encoding | bytes | sourceFile | archivedAs | ingestedAt
        static let sighting: UInt32 = type | articleID | file | at | kind | rawHash | storedAs
    }

    private mutating func line() -> ScannedLine? {
        var seen: UInt32 = 0
        var type = "", id = "", contentHash = "", rawHash = "", sourceFile = "", articleID = "", file = "", kind = ""
        var seq: UInt64 = 0
        var schemaVersion = 0
        skipWhitespace()
        guard take(0x7B) else { return nil }  // {
        skipWhitespace()
        guard peek() != 0x7D else { return nil }  // empty object: let JSONDecoder say why it is bad
        while true {
            skipWhitespace()
            guard let key = string(), !key.escaped else { return nil }
            skipWhitespace()
            guard take(0x3A) else { return nil }  // :
            skipWhitespace()
            let name = String(decoding: UnsafeBufferPointer(start: p + key.start, count: key.end - key.start), as: UTF8.self)
            var bit: UInt32 = 0
            switch name {
            case "type": bit = F.type; guard let s = plainString() else { return nil }; type = s
            case "id": bit = F.id; guard let s = plainString() else { return nil }; id = s
            case "content_hash": bit = F.contentHash; guard let s = plainString() else { return nil }; contentHash = s
            case "raw_hash": bit = F.rawHash; guard let s = plainString() else { return nil }; rawHash = s
            case "source_file": bit = F.sourceFile; guard let s = plainString() else { return nil }; sourceFile = s
            case "article_id": bit = F.articleID; guard let s = plainString() else { return nil }; articleID = s
            case "file": bit = F.file; guard let s = plainString() else { return nil }; file = s
            case "kind": bit = F.kind; guard let s = plainString() else { return nil }; kind = s
            case "seq": bit = F.seq; guard peek() != 0x2D, let v = integer() else { return nil }; seq = UInt64(v)
            case "schema_version": bit = F.schemaVersion; guard let v = integer() else { return nil }; schemaVersion = v
            case "hash_version": bit = F.hashVersion; guard integer() != nil else { return nil }
            case "word_count": bit = F.wordCount; guard integer() != nil else { return nil }
            case "bytes": bit = F.bytes; guard integer() != nil else { return nil }
            case "title_derived": bit = F.titleDerived; guard boolean() else { return nil }
            case "language": bit = F.language; guard string() != nil else { return nil }
            case "encoding": bit = F.encoding; guard string() != nil else { return nil }
            case "archived_as": bit = F.archivedAs; guard string() != nil else { return nil }
            case "ingested_at": bit = F.ingestedAt; guard string() != nil else { return nil }
            case "at": bit = F.at; guard string() != nil else { return nil }
            case "stored_as": bit = F.storedAs; guard string() != nil else { return nil }
            case "title": bit = F.title; guard let v = textOrNull() else { return nil }; text.title = v
            case "published": bit = F.published; guard let v = textOrNull() else { return nil }; text.published = v
            case "author": bit = F.author; guard let v = textOrNull() else { return nil }; text.author = v
            case "source": bit = F.source; guard let v = textOrNull() else { return nil }; text.source = v
            case "url": bit = F.url; guard stringOrNull() else { return nil }
            case "images": bit = F.images; guard stringArray() else { return nil }
            case "captions": bit = F.captions; guard stringArray() else { return nil }
            case "body": bit = F.body; guard stringArray(keeping: keepsText) else { return nil }
            case "duplicates": return nil  // folded sightings: leave them to JSONDecoder
            default: guard value(depth: 0) else { return nil }
            }
            guard seen & bit == 0 else { return nil }  // a repeated key: let JSONDecoder decide
            seen |= bit
            skipWhitespace()
            if take(0x2C) { continue }  // ,
            guard take(0x7D) else { return nil }  // }
            break
        }
        skipWhitespace()
        guard i == n else { return nil }
        switch type {
        case "article" where seen & F.article == F.article:
            return .article(
                ScannedArticle(
                    schemaVersion: schemaVersion, id: id, seq: seq, contentHash: contentHash, rawHash: rawHash,
                    sourceFile: sourceFile))
        case "sighting" where seen & F.sighting == F.sighting:
            guard let kind = DuplicateSighting.Kind(rawValue: kind) else { return nil }
            return .sighting(articleID: articleID, file: file, kind: kind, rawHash: rawHash)
        default:
            return nil
        }
    }

    // MARK: - Tokens

    @inline(__always) private func peek() -> UInt8 { i < n ? p[i] : 0 }

    @inline(__always) private mutating func take(_ byte: UInt8) -> Bool {
        guard i < n, p[i] == byte else { return false }
        i += 1
        return true
    }

    @inline(__always) private mutating func skipWhitespace() {
        while i < n, p[i] == 0x20 || p[i] == 0x0A || p[i] == 0x0D || p[i] == 0x09 { i += 1 }
    }

    private mutating func literal(_ word: StaticString) -> Bool {
        let count = word.utf8CodeUnitCount
        guard n - i >= count, memcmp(p + i, word.utf8Start, count) == 0 else { return false }
        i += count
        return true
    }

    private mutating func boolean() -> Bool { literal("true") || literal("false") }

    private mutating func stringOrNull() -> Bool { literal("null") || string() != nil }

    /// A string without escapes, as a Swift string; nil for escaped ones (the caller falls back).
    private mutating func plainString() -> String? {
        guard let s = string(), !s.escaped else { return nil }
        return String(decoding: UnsafeBufferPointer(start: p + s.start, count: s.end - s.start), as: UTF8.self)
    }

    /// `null` (nil inside) or a string, decoded when the scanner keeps text (nil inside otherwise); nil when the
    /// value is neither.
    private mutating func textOrNull() -> String?? {
        if literal("null") { return .some(nil) }
        guard let s = string() else { return nil }
        return .some(keepsText ? decoded(s) : nil)
    }

    private mutating func stringArray(keeping: Bool = false) -> Bool {
        guard take(0x5B) else { return false }  // [
        skipWhitespace()
        if take(0x5D) { return true }
        while true {
            skipWhitespace()
            guard let s = string() else { return false }
            if keeping { text.body.append(decoded(s)) }
            skipWhitespace()
            if take(0x2C) { continue }
            return take(0x5D)
        }
    }

    /// The value of a string `string()` accepted: valid UTF-8, and escapes that are well formed and not
    /// surrogates, so every one decodes to a scalar.
    private func decoded(_ s: (start: Int, end: Int, escaped: Bool)) -> String {
        let raw = UnsafeBufferPointer(start: p + s.start, count: s.end - s.start)
        // `string()` has checked the UTF-8 already; a second check was a third of reading a body.
        guard s.escaped else {
            assert(String(validating: raw, as: UTF8.self) != nil)
            return String(copying: UTF8Span(unchecked: raw.span))
        }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var k = 0
        while k < raw.count {
            let c = raw[k]
            guard c == 0x5C else {
                out.append(c)
                k += 1
                continue
            }
            switch raw[k + 1] {
            case 0x62: out.append(0x08)
            case 0x66: out.append(0x0C)
            case 0x6E: out.append(0x0A)
            case 0x72: out.append(0x0D)
            case 0x74: out.append(0x09)
            case 0x75:
                var code: UInt32 = 0
                for d in 2..<6 { code = code << 4 | UInt32(Hex.value(of: raw[k + d]) ?? 0) }
                if let scalar = Unicode.Scalar(code) { UTF8.encode(scalar) { out.append($0) } }
                k += 6
                continue
            default: out.append(raw[k + 1])  // \" \\ \/
            }
            k += 2
        }
        assert(String(validating: out, as: UTF8.self) != nil)
        return String(copying: UTF8Span(unchecked: out.span))
    }

    /// Checks a string starting at `"`: escapes, no raw control characters, valid UTF-8 (shortest form, no
    /// surrogates, ≤ U+10FFFF; checked inline, which is twice as fast here as a separate validation pass).
    /// Returns its content range and whether it holds escapes.
    private mutating func string() -> (start: Int, end: Int, escaped: Bool)? {
        guard take(0x22) else { return nil }
        let start = i
        var escaped = false
        while i < n {
            let c = p[i]
            if c == 0x22 {
                i += 1
                return (start, i - 1, escaped)
            }
            if c >= 0x80 {
                guard let length = utf8Sequence(c) else { return nil }
                i += length
                continue
            }
            if c >= 0x20 && c != 0x5C {
                i += 1
                continue
            }
            guard c == 0x5C, i + 1 < n else { return nil }  // a raw control character, or a cut escape
            escaped = true
            switch p[i + 1] {
            case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:
                i += 2
            case 0x75:
                guard i + 5 < n else { return nil }
                var code: UInt32 = 0
                for k in 2..<6 {
                    guard let v = Hex.value(of: p[i + k]) else { return nil }
                    code = code << 4 | UInt32(v)
                }
                if code >= 0xD800 && code <= 0xDFFF { return nil }  // surrogates: JSONDecoder decides
                i += 6
            default:
                return nil
            }
        }
        return nil
    }

    /// Length of the valid multi-byte UTF-8 sequence at `i`, whose first byte is `c` (≥ 0x80), or nil.
    @inline(__always)
    private func utf8Sequence(_ c: UInt8) -> Int? {
        @inline(__always) func tail(_ k: Int) -> UInt32? {
            guard i + k < n, p[i + k] & 0xC0 == 0x80 else { return nil }
            return UInt32(p[i + k] & 0x3F)
        }
        if c >= 0xC2 && c <= 0xDF {
            return tail(1) == nil ? nil : 2
        }
        if c >= 0xE0 && c <= 0xEF {
            guard let t1 = tail(1), let t2 = tail(2) else { return nil }
            let scalar = UInt32(c & 0x0F) << 12 | t1 << 6 | t2
            return scalar >= 0x800 && (scalar < 0xD800 || scalar > 0xDFFF) ? 3 : nil
        }
        if c >= 0xF0 && c <= 0xF4 {
            guard let t1 = tail(1), let t2 = tail(2), let t3 = tail(3) else { return nil }
            let scalar = UInt32(c & 0x07) << 18 | t1 << 12 | t2 << 6 | t3
            return scalar >= 0x10000 && scalar <= 0x10FFFF ? 4 : nil
        }
        return nil
    }

    /// An integer in plain form (no fraction or exponent) that fits in an Int; nil otherwise.
    private mutating func integer() -> Int? {
        let negative = take(0x2D)
        guard i < n, p[i] >= 0x30, p[i] <= 0x39 else { return nil }
        if p[i] == 0x30, i + 1 < n, p[i + 1] >= 0x30, p[i + 1] <= 0x39 { return nil }  // leading zero
        var value = 0
        while i < n, p[i] >= 0x30, p[i] <= 0x39 {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (plus, o2) = times.addingReportingOverflow(Int(p[i] - 0x30))
            guard !o1, !o2 else { return nil }
            value = plus
            i += 1
        }
        guard i >= n || (p[i] != 0x2E && p[i] != 0x65 && p[i] != 0x45) else { return nil }
        return negative ? -value : value
    }

    /// Any JSON value (for keys the index does not need), checked but not kept.
    private mutating func value(depth: Int) -> Bool {
        guard depth < 32, i < n else { return false }
        switch p[i] {
        case 0x22: return string() != nil
        case 0x74: return literal("true")
        case 0x66: return literal("false")
        case 0x6E: return literal("null")
        case 0x7B:
            i += 1
            skipWhitespace()
            if take(0x7D) { return true }
            while true {
                skipWhitespace()
                guard string() != nil else { return false }
                skipWhitespace()
                guard take(0x3A) else { return false }
                skipWhitespace()
                guard value(depth: depth + 1) else { return false }
                skipWhitespace()
                if take(0x2C) { continue }
                return take(0x7D)
            }
        case 0x5B:
            i += 1
            skipWhitespace()
            if take(0x5D) { return true }
            while true {
                skipWhitespace()
                guard value(depth: depth + 1) else { return false }
                skipWhitespace()
                if take(0x2C) { continue }
                return take(0x5D)
            }
        default:
            return number()
        }
    }

    /// -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
    private mutating func number() -> Bool {
        _ = take(0x2D)
        func digits(_ s: inout FastLineScanner) -> Int {
            let start = s.i
            while s.i < s.n, s.p[s.i] >= 0x30, s.p[s.i] <= 0x39 { s.i += 1 }
            return s.i - start
        }
        guard i < n else { return false }
        if p[i] == 0x30 {
            i += 1
        } else if digits(&self) == 0 {
            return false
        }
        if take(0x2E), digits(&self) == 0 { return false }
        if take(0x65) || take(0x45) {
            if !take(0x2B) { _ = take(0x2D) }
            if digits(&self) == 0 { return false }
        }
        return true
    }
}
