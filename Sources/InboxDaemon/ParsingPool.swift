import Glibc
import Synchronization

/// Threads of its own for reading and parsing inbox files, one per core, a little below normal priority.
///
/// The ingest thread commits in order and cannot be parallelised, so it must never wait for a CPU
/// behind parsing that could run a moment later; nor must the API thread (`status` answers within
/// a couple of milliseconds during a burst). At nice 5 the parsing threads still get every idle
/// cycle, which during a burst is most of both cores. Not libdispatch: it starts workers lazily,
/// opens descriptors for them then and traps if it cannot (a client flood at RLIMIT_NOFILE), and an
/// idle worker of its wakes every second; these threads start with the daemon and sleep on a
/// semaphore.
final class ParsingPool: Sendable {
    private let lanes: [BackgroundLane]

    init(threads: Int = ParsingPool.onlineCores(), nice: Int32 = 5) {
        lanes = (0..<max(1, threads)).map { BackgroundLane(name: "inboxd-parse\($0)", nice: nice) }
    }

    /// Runs `body` for every index in `0..<count` across the pool, then `completion` once, on
    /// the thread that finished last. Returns at once.
    func run(count: Int, _ body: @escaping @Sendable (Int) -> Void, completion: @escaping @Sendable () -> Void) {
        guard count > 0 else { completion(); return }
        let progress = Progress(lanes: min(lanes.count, count))
        for lane in lanes.prefix(progress.lanes) {
            lane.async {
                while true {
                    let index = progress.next.add(1, ordering: .relaxed).oldValue
                    guard index < count else { break }
                    body(index)
                }
                if progress.finished.add(1, ordering: .acquiringAndReleasing).newValue == progress.lanes { completion() }
            }
        }
    }

    private final class Progress: Sendable {
        let lanes: Int
        let next = Atomic<Int>(0)
        let finished = Atomic<Int>(0)
        init(lanes: Int) { self.lanes = lanes }
    }

    /// Cores online.
    static func onlineCores() -> Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }
}
