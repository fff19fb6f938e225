import Foundation

/// One decoded line of `articles.jsonl`.
enum LogLine: Decodable {
    case article(ArticleRecord)
    case sighting(articleID: String, DuplicateSighting)
    /// Valid JSON with a `type`, but not something this build can use (a newer schema, a bad field). Kept on
    /// disk, skipped in memory, never truncated away.
    case unreadable(type: String, seq: UInt64?, reason: String)

    private enum Keys: String, CodingKey {
        case type, seq
        case articleID = "article_id"
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: Keys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "article":
            do {
                self = .article(try ArticleRecord(from: decoder))
            } catch {
                self = .unreadable(type: type, seq: try? c.decode(UInt64.self, forKey: .seq), reason: Self.describe(error))
            }
        case "sighting":
            do {
                self = .sighting(
                    articleID: try c.decode(String.self, forKey: .articleID), try DuplicateSighting(from: decoder))
            } catch {
                self = .unreadable(type: type, seq: nil, reason: Self.describe(error))
            }
        default:
            self = .unreadable(type: type, seq: try? c.decode(UInt64.self, forKey: .seq), reason: "unknown record type")
        }
    }

    /// Decodes one line (with or without its `\n`); throws on anything that is not a JSON object with a `type`.
    /// With `skipBody`, an article's body is checked as JSON but not turned into strings (the scan at start-up).
    static func decode(_ bytes: UnsafeRawBufferPointer, skipBody: Bool = false) throws -> LogLine {
        let decoder = JSONDecoder()
        if skipBody { decoder.userInfo[ArticleRecord.skipBodyKey] = true }
        return try decoder.decode(LogLine.self, from: Data(bytes))
    }

    static func describe(_ error: any Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing field \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return "bad value at \"\(path)\""
        case DecodingError.dataCorrupted: return "not valid JSON"
        default: return "\(error)"
        }
    }
}
