import CLinux
import Glibc

/// A thread of its own, at a CPU priority of its own, running jobs in order: parsing (nice 5),
/// log commits and folder fsyncs (nice 0, mostly asleep in the disk), search indexing (nice 19).
///
/// Indexing an article for search costs about as much CPU as ingesting it. On a machine with
/// two cores it would compete with parsing and committing during a burst and with the API
/// thread's answers; at nice 19 it gets little CPU while anything else wants it and catches up
/// when the burst is over. Not SCHED_IDLE: on a machine kept busy by other programs, its ~0.3 %
/// share left freshly stored articles unsearchable for over 30 s. Not a dispatch queue either:
/// its threads are shared, and a thread's priority cannot be raised back without CAP_SYS_NICE.
/// While idle the thread sleeps on a semaphore: no timer, no wake-ups.
final class BackgroundLane: @unchecked Sendable {
    // @unchecked: `jobs` is only touched with `lock` held, the semaphore is made for use across
    // threads, and `inline` is written only in init, before the lane is shared.
    typealias Job = @Sendable () -> Void

    // A pthread mutex rather than Synchronization.Mutex: ThreadSanitizer sees its hand-over, so a
    // sanitizer run reports real races in the jobs, not the queue itself (docs/reliability.md).
    private let lock: UnsafeMutablePointer<pthread_mutex_t>
    private var jobs: [Job] = []
    // A counting semaphore: one post per job queued, so the thread never misses one.
    private let signal: UnsafeMutablePointer<sem_t>

    init(name: String, nice: Int32 = 19) {
        signal = .allocate(capacity: 1)
        sem_init(signal, 0, 0)
        lock = .allocate(capacity: 1)
        pthread_mutex_init(lock, nil)
        let context = Unmanaged.passRetained(LaneContext(lane: self, name: name, nice: nice)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            let context = Unmanaged<LaneContext>.fromOpaque(raw!).takeRetainedValue()
            context.run()
        }, context)
        if rc == 0 {
            pthread_detach(thread)
        } else {
            // No thread to spare: run the jobs inline rather than losing them.
            Unmanaged<LaneContext>.fromOpaque(context).release()
            inline = true
        }
    }

    private var inline = false

    func async(_ job: @escaping Job) {
        if inline { job(); return }
        pthread_mutex_lock(lock)
        jobs.append(job)
        pthread_mutex_unlock(lock)
        sem_post(signal)
    }

    fileprivate func loop() -> Never {
        while true {
            while sem_wait(signal) != 0 && errno == EINTR {}
            pthread_mutex_lock(lock)
            let job = jobs.isEmpty ? nil : jobs.removeFirst()
            pthread_mutex_unlock(lock)
            job?()
        }
    }
}

private final class LaneContext: @unchecked Sendable {
    // @unchecked: handed to the new thread once and used only there.
    let lane: BackgroundLane
    let name: String
    let nice: Int32
    init(lane: BackgroundLane, name: String, nice: Int32) {
        self.lane = lane
        self.name = name
        self.nice = nice
    }

    func run() -> Never {
        _ = inboxd_set_thread_name(String(name.prefix(15)))
        // On Linux nice is per thread, and `who` 0 is the calling thread: only the lane is lowered.
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice)
        lane.loop()
    }
}
