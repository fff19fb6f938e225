/// Why an inbox file was not turned into an article.
///
/// Every case has a stable machine-readable ``code`` (for the store and the CLI) and a
/// ``message`` that tells a person what to do about it.
public enum Rejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// Zero bytes, or nothing but a byte-order mark.
    case empty
    /// Only whitespace: spaces, tabs, line breaks, NBSP, zero-width characters, BOMs.
    case whitespaceOnly
    /// Not text at all; the associated value says what gave it away (a NUL at some offset...).
    case binary(String)
    /// Bytes that are not valid in any accepted encoding; the value says where.
    case undecodable(String)
    /// Larger than ``IngestLimits/maxBytes``.
    case tooLarge(size: Int, limit: Int)

    /// Stable identifier: `empty`, `whitespace_only`, `binary`, `undecodable` or `too_large`.
    public var code: String {
        switch self {
        case .empty: "empty"
        case .whitespaceOnly: "whitespace_only"
        case .binary: "binary"
        case .undecodable: "undecodable"
        case .tooLarge: "too_large"
        }
    }

    /// One sentence a user can act on.
    public var message: String {
        switch self {
        case .empty:
            "file is empty (no bytes, or only a byte-order mark); put the article text in it"
        case .whitespaceOnly:
            "file contains only whitespace; put the article text in it"
        case .binary(let detail):
            "file looks binary, not text (\(detail)); only plain-text articles are accepted"
        case .undecodable(let detail):
            "file is not valid text (\(detail)); save it as UTF-8 and drop it again"
        case .tooLarge(let size, let limit):
            "file is \(size) bytes, over the \(limit)-byte limit (max_file_size); split it or raise the limit"
        }
    }

    /// `code: message`, for logs.
    public var description: String { "\(code): \(message)" }
}
