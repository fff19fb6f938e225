import Foundation
import Glibc
import InboxAPI
import InboxServer
import InboxStore

/// Maps API paths to answers from the store, the status board and the state folders.
/// Runs on the server's threads; everything it touches is thread-safe.
struct APIRoutes: Sendable {
    let configuration: DaemonConfiguration
    let store: ArticleStore
    let board: StatusBoard
    static let version = InboxdVersion.current

    func handle(_ request: APIRequest) -> APIResponse {
        let segments = request.path.split(separator: "/").map(String.init)
        switch (request.method, segments) {
        case ("GET", ["v1", "status"]): return Self.json(status())
        case ("GET", ["v1", "articles"]): return listArticles(request)
        case ("GET", let s) where s.count == 3 && s[0] == "v1" && s[1] == "articles": return showArticle(s[2])
        case ("GET", ["v1", "duplicates"]): return listDuplicates(request)
        case ("GET", ["v1", "search"]): return search(request)
        case ("GET", ["v1", "rejected"]): return listRejected()
        case ("POST", let s) where s.count == 4 && s[0] == "v1" && s[1] == "rejected" && s[3] == "retry":
            return authorized(request) ?? retryRejected(s[2])
        case ("POST", ["v1", "reload"]): return authorized(request) ?? reload()
        case ("GET", ["v1", "events"]): return events()
        case ("GET", ["metrics"]): return metrics()
        default:
            if let allowed = Self.allowedMethods(segments), !allowed.contains(request.method) {
                return Self.error(405, "method_not_allowed", "\(request.method) is not allowed on \(request.path); use \(allowed.joined(separator: " or "))")
            }
            return Self.error(404, "not_found", "no such endpoint: \(request.method) \(request.path); see docs/api.md")
        }
    }

    static func allowedMethods(_ segments: [String]) -> [String]? {
        switch segments {
        case ["v1", "status"], ["v1", "articles"], ["v1", "duplicates"], ["v1", "search"], ["v1", "rejected"], ["v1", "events"], ["metrics"]:
            return ["GET"]
        case let s where s.count == 3 && s[0] == "v1" && s[1] == "articles": return ["GET"]
        case ["v1", "reload"]: return ["POST"]
        case let s where s.count == 4 && s[0] == "v1" && s[1] == "rejected" && s[3] == "retry": return ["POST"]
        default: return nil
        }
    }

    /// Mutating endpoints: root or the daemon's own uid only (the socket's group may read, not act).
    func authorized(_ request: APIRequest) -> APIResponse? {
        guard let uid = request.peerUID else {
            return Self.error(403, "forbidden", "cannot tell who is asking (no SO_PEERCRED); refusing a mutating request")
        }
        if uid == 0 || uid == getuid() { return nil }
        return Self.error(403, "forbidden", "uid \(uid) may read but not change inboxd; run as root or as the daemon's user (uid \(getuid()))")
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

    private func reload() -> APIResponse {
        // The same path as `systemctl reload`: the ingest loop handles SIGHUP.
        kill(getpid(), SIGHUP)
        return Self.raw(202, "{\"status\":\"reloading\"}")
    }

    private func events() -> APIResponse {
        let telemetry = board.telemetry
        return .stream { sink in
            let token = telemetry.subscribe(sink)
            return { telemetry.unsubscribe(token) }
        }
    }

    // MARK: - Encoding

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json<T: Encodable>(_ value: T, status: Int = 200) -> APIResponse {
        do { return APIResponse(status: status, body: Array(try encoder.encode(value))) } catch {
            return raw(500, "{\"error\":{\"code\":\"encode\",\"message\":\(JSONText.string("\(error)"))}}")
        }
    }

    static func raw(_ status: Int, _ text: String) -> APIResponse {
        APIResponse(status: status, body: Array(text.utf8))
    }

    static func error(_ status: Int, _ code: String, _ message: String) -> APIResponse {
        json(ErrorResponse(code: code, message: message), status: status)
    }
}

public enum InboxdVersion {
    public static let current = "0.1.0"
}
