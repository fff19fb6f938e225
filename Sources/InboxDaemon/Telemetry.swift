import Synchronization

/// What happened to each file, as counters for `/metrics` and as live events for `/v1/events`.
///
/// Written by the ingest loop, read by API threads. Publishing never waits on a subscriber:
/// each one gets the line through its own non-blocking sink, and a slow one is the server's
/// business (it drops that connection), never the ingest loop's.
public final class Telemetry: Sendable {
    public typealias Sink = @Sendable (String) -> Void

    struct Counters: Sendable {
        var ingested = 0
        /// Parses skipped: files recognised by their raw hash as bytes already on record.
        var parsesSkipped = 0
        var duplicatesByKind: [String: Int] = ["exact": 0, "normalized": 0]
        var rejectedByReason: [String: Int] = [:]
        var latencyBuckets = [Int](repeating: 0, count: Telemetry.latencyBounds.count)
        var latencyCount = 0
        var latencySum = 0.0
    }

    /// Upper bounds (seconds) of the ingest latency histogram.
    static let latencyBounds: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private let counters = Mutex(Counters())
    private let subscribers = Mutex<[Int: Sink]>([:])
    private let nextToken = Atomic<Int>(0)

    public init() {}

    func read() -> Counters { counters.withLock { $0 } }

    func parseSkipped() {
        counters.withLock { $0.parsesSkipped += 1 }
    }

    func ingested(file: String, id: String, title: String?, at: String, latency: Double) {
        counters.withLock {
            $0.ingested += 1
            Self.observe(latency, into: &$0)
        }
        publish(["event": .text("ingested"), "file": .text(file), "article_id": .text(id), "title": title.map { .text($0) } ?? .null, "at": .text(at)])
    }

    func duplicate(file: String, id: String, kind: String, at: String, latency: Double) {
        counters.withLock {
            $0.duplicatesByKind[kind, default: 0] += 1
            Self.observe(latency, into: &$0)
        }
        publish(["event": .text("duplicate"), "file": .text(file), "article_id": .text(id), "kind": .text(kind), "at": .text(at)])
    }

    func rejected(file: String, code: String, message: String, at: String, latency: Double) {
        counters.withLock {
            $0.rejectedByReason[code, default: 0] += 1
            Self.observe(latency, into: &$0)
        }
        publish(["event": .text("rejected"), "file": .text(file), "reason": .text(code), "message": .text(message), "at": .text(at)])
    }

    private static func observe(_ seconds: Double, into counters: inout Counters) {
        counters.latencyCount += 1
        counters.latencySum += seconds
        for (index, bound) in latencyBounds.enumerated() where seconds <= bound { counters.latencyBuckets[index] += 1 }
    }

    /// Registers a subscriber for event lines (one JSON object per line, newline included).
    public func subscribe(_ sink: @escaping Sink) -> Int {
        let token = nextToken.add(1, ordering: .relaxed).newValue
        subscribers.withLock { $0[token] = sink }
        return token
    }

    public func unsubscribe(_ token: Int) {
        _ = subscribers.withLock { $0.removeValue(forKey: token) }
    }

    public var subscriberCount: Int { subscribers.withLock { $0.count } }

    enum Field: Sendable {
        case text(String)
        case null
    }

    /// The fields are only built when someone follows (per file, unfollowed, that was a
    /// dictionary of five strings for nothing).
    private func publish(_ makeFields: @autoclosure () -> [String: Field]) {
        let sinks = subscribers.withLock { Array($0.values) }
        guard !sinks.isEmpty else { return }
        let fields = makeFields()
        let line = "{" + fields.keys.sorted().map { key in
            let value: String
            switch fields[key]! {
            case .text(let text): value = JSONText.string(text)
            case .null: value = "null"
            }
            return JSONText.string(key) + ":" + value
        }.joined(separator: ",") + "}\n"
        for sink in sinks { sink(line) }
    }
}
