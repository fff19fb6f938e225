import Foundation
import InboxAPI
import InboxServer
import InboxStore

/// Maps API paths to answers from the store and the status board. Runs on the server's threads.
struct APIRoutes: Sendable {
    let configuration: DaemonConfiguration
    let store: ArticleStore
    let board: StatusBoard
    static let version = InboxdVersion.current

    func handle(_ request: APIRequest) -> APIResponse {
        let segments = request.path.split(separator: "/").map(String.init)
        switch segments {
        case ["v1", "status"]:
            guard request.method == "GET" else { return Self.methodNotAllowed("GET") }
            return Self.json(status())
        case ["v1", "articles"]:
            guard request.method == "GET" else { return Self.methodNotAllowed("GET") }
            return listArticles(request)
        case let s where s.count == 3 && s[0] == "v1" && s[1] == "articles":
            guard request.method == "GET" else { return Self.methodNotAllowed("GET") }
            return showArticle(s[2])
        default:
            return Self.error(404, "not_found", "no such endpoint: \(request.method) \(request.path); see docs/api.md")
        }
    }

    func status() -> StatusResponse {
        let counters = board.read()
        let counts = store.counts
        return StatusResponse(
            state: counters.state.rawValue, articles: counts.articles, duplicates: counts.sightings,
            rejected: counters.rejected, pending: counters.pending, inbox: configuration.inbox,
            stateDir: configuration.stateDirectory, version: Self.version,
            uptimeSeconds: (board.uptimeSeconds * 1000).rounded() / 1000, lastError: counters.lastError,
            overflows: counters.overflows, rescans: counters.rescans)
    }

    private func listArticles(_ request: APIRequest) -> APIResponse {
        var after: UInt64?
        if let cursor = request.query["cursor"], !cursor.isEmpty {
            guard let value = UInt64(cursor) else { return Self.error(400, "bad_cursor", "cursor must be a value from next_cursor") }
            after = value
        }
        var limit = 100
        if let text = request.query["limit"] {
            guard let value = Int(text), (1...1000).contains(value) else {
                return Self.error(400, "bad_limit", "limit must be an integer from 1 to 1000")
            }
            limit = value
        }
        do {
            let records = try store.page(after: after, limit: limit)
            let next = records.count == limit ? records.last.map { String($0.seq) } : nil
            var body = Array("{\"articles\":[".utf8)
            for (index, record) in records.enumerated() {
                if index > 0 { body.append(UInt8(ascii: ",")) }
                body.append(contentsOf: try Self.encodeWithoutBody(record))
            }
            body.append(contentsOf: Array("],\"next_cursor\":".utf8))
            body.append(contentsOf: Array((next.map { "\"\($0)\"" } ?? "null").utf8))
            body.append(UInt8(ascii: "}"))
            return APIResponse(status: 200, body: body)
        } catch {
            return Self.error(500, "store_error", "\(error)")
        }
    }

    private func showArticle(_ id: String) -> APIResponse {
        do {
            guard let record = try store.record(id: id) else {
                return Self.error(404, "not_found", "no article with id \(id); list ids with `inboxctl list`")
            }
            return APIResponse(status: 200, body: Array(try Self.encoder.encode(record)))
        } catch {
            return Self.error(500, "store_error", "\(error)")
        }
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    /// Listing leaves out the body, the one large field; `show` returns it.
    static func encodeWithoutBody(_ record: ArticleRecord) throws -> [UInt8] {
        var copy = record
        copy.body = []
        let data = try encoder.encode(copy)
        guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { return Array(data) }
        object.removeValue(forKey: "body")
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    static func json<T: Encodable>(_ value: T, status: Int = 200) -> APIResponse {
        do { return APIResponse(status: status, body: Array(try encoder.encode(value))) } catch {
            return APIResponse(status: 500, body: Array("{\"error\":{\"code\":\"encode\",\"message\":\"\(error)\"}}".utf8))
        }
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> APIResponse {
        json(ErrorResponse(code: code, message: message), status: status)
    }

    static func methodNotAllowed(_ allowed: String) -> APIResponse {
        error(405, "method_not_allowed", "use \(allowed) for this endpoint")
    }
}

public enum InboxdVersion {
    public static let current = "0.1.0"
}
