import Crypto

/// The identity of an article's content, for duplicate detection.
///
/// **Definition, hash version 1.** The content hash is the lowercase hex SHA-256 of the UTF-8
/// bytes of the article's body paragraphs, each in canonical form, joined with one space (U+0020).
///
/// - Body paragraphs are the non-blank lines the parser classifies as body, in file order. Not
///   body, so not hashed: the title (and a blog's all-caps header above it), junk lines (a lone
///   emoji), date lines and bylines, outlet lines, URL and image-URL lines, photo captions, an
///   author line, blog boilerplate (`No comments:`, `Post a Comment`, ...) and footers
///   (`Nguồn QĐND`, `(thực hiện)`). A pull quote that repeats text of another body paragraph is
///   dropped, so that text counts once.
/// - Canonical form of a paragraph: Unicode NFC; zero-width characters (U+200B–U+200D, U+2060)
///   and BOMs removed; every whitespace character (ASCII whitespace, NBSP, U+1680, U+2000–U+200A,
///   U+2028, U+2029, U+202F, U+205F, U+3000) turned into a space, runs collapsed to one, ends
///   trimmed; `Ð`/`ð` (U+00D0/U+00F0) written as `Đ`/`đ`; the tone mark of the open clusters
///   oa, oe, uy moved to the first vowel (old style: `hoà` → `hòa`, `khoẻ` → `khỏe`,
///   `thuỷ` → `thủy`) when the cluster ends the syllable and, for uy, does not follow q.
/// - Line breaks are not part of the identity: a paragraph hashes the same on one line or wrapped
///   over several, and CRLF, CR or LF make no difference.
/// - Fallback: when no line is body (a file with only a title, say), the hash is SHA-256 over
///   one 0x00 byte followed by the canonical form of every non-blank line of the whole text,
///   joined with one space. The leading NUL, which accepted text never contains, keeps such files
///   apart from articles whose body happens to equal that text.
///
/// Hence a repost under another header or footer, re-encoded (UTF-8 with or without BOM, UTF-16,
/// Windows-1258), with CRLF, NFD, the other tone style, NBSP or extra spaces has the same hash,
/// and editing one sentence of the body changes it. Bump ``version`` whenever this changes.
public struct ContentHash: Sendable, Hashable, CustomStringConvertible {
    /// Version of the definition above; stored next to every hash.
    public static let version: Int = 1

    /// 64 lowercase hex digits.
    public let hex: String

    /// Wraps a stored hash; nil unless `hex` is 64 lowercase hex digits.
    public init?(hex: String) {
        guard Hex.isLowercaseHex(hex, count: 64) else { return nil }
        self.hex = hex
    }

    init(digest: SHA256.Digest) {
        self.hex = Hex.string(digest)
    }

    /// The hex digest.
    public var description: String { hex }

    /// The content hash of `article`, parsed from `text`; `text` is read only when the body is
    /// empty (see the fallback above). Equals what ``ArticlePipeline`` computes for the same file.
    public static func of(_ article: Article, text: String) -> ContentHash {
        if article.body.isEmpty { return fallback(LineScanner.scan(text)) }
        var joined: [UInt8] = []
        for (k, paragraph) in article.body.enumerated() {
            if k > 0 { joined.append(0x20) }
            joined.append(contentsOf: Normalizer.canonicalLine(paragraph).utf8)
        }
        return ContentHash(digest: SHA256.hash(data: joined))
    }

    /// The hash of the given body lines of a scanned text (the fallback when there are none).
    static func of(_ table: LineTable, bodyLines: [Int]) -> ContentHash {
        if bodyLines.isEmpty { return fallback(table) }
        return hash(table, lines: bodyLines, prefix: [])
    }

    /// Lowercase hex SHA-256 of `bytes` (the raw-file hash, and a check for tests).
    static func sha256Hex(_ bytes: [UInt8]) -> String {
        Hex.string(SHA256.hash(data: bytes))
    }

    private static func fallback(_ table: LineTable) -> ContentHash {
        hash(table, lines: table.lines.indices.filter { !table.lines[$0].isBlank }, prefix: [0x00])
    }

    /// SHA-256 of `prefix` and the canonical bytes of `lines` joined with spaces, assembled in
    /// one buffer so a million short lines cost one digest update, not a million.
    private static func hash(_ table: LineTable, lines: [Int], prefix: [UInt8]) -> ContentHash {
        var joined = prefix
        joined.reserveCapacity(prefix.count + table.canonical.count + lines.count)
        table.canonical.withUnsafeBufferPointer { c in
            for (k, idx) in lines.enumerated() {
                if k > 0 { joined.append(0x20) }
                joined.append(contentsOf: UnsafeBufferPointer(rebasing: c[table.lines[idx].canonicalRange]))
            }
        }
        return ContentHash(digest: SHA256.hash(data: joined))
    }
}
