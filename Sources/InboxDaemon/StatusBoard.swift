import InboxAPI
import InboxSearch
import Synchronization

/// The daemon's live state, written by the ingest loop and read by API requests on other threads:
/// lifecycle state and counts, plus the telemetry (metrics, events) both sides share.
public final class StatusBoard: Sendable {
    public enum State: String, Sendable { case starting, ready, degraded, stopping }

    struct Counters: Sendable {
        var state: State = .starting
        var rejected = 0
        var pending = 0
        var lastError: String?
        var degradedReason: String?
        var overflows = 0
        var rescans = 0
    }

    private let counters = Mutex(Counters())
    let startedAt = ContinuousClock.now
    /// Counters and live events of what happened to each file.
    public let telemetry = Telemetry()
    /// The full-text index: fed by the ingest loop, queried by the API.
    public let search = SearchIndex()
    let searchFeeder: SearchFeeder

    public init() { searchFeeder = SearchFeeder(index: search) }


    func update(_ body: (inout Counters) -> Void) { counters.withLock { body(&$0) } }
    func read() -> Counters { counters.withLock { $0 } }

    var uptimeSeconds: Double {
        let elapsed = ContinuousClock.now - startedAt
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
