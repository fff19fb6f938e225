import Foundation
import Glibc

/// How big the kill -9 test is: 5,000 files and 24 kills in `make test`; `make chaos` sets
/// `INBOXD_CHAOS_FILES` and `INBOXD_CHAOS_KILLS` (10,000 and 200).
struct ChaosPlan {
    let files: Int
    let kills: Int

    static func fromEnvironment() throws -> ChaosPlan {
        let environment = ProcessInfo.processInfo.environment
        func value(_ key: String, default fallback: Int) throws -> Int {
            guard let text = environment[key], !text.isEmpty else { return fallback }
            guard let number = Int(text), number > 0 else { throw ChaosError("\(key)=\(text) is not a positive integer") }
            return number
        }
        return ChaosPlan(files: try value("INBOXD_CHAOS_FILES", default: 5000), kills: try value("INBOXD_CHAOS_KILLS", default: 24))
    }
}

struct ChaosError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Where in the daemon's life a kill is aimed. The store has no compaction, so there is no
/// "mid-compaction" phase.
enum ChaosPhase: String, CaseIterable {
    /// A random instant after spawn, before the first inbox file is opened: store load, inotify
    /// set-up, start-up scan.
    case startup
    /// The daemon has an inbox file open: a batch is being read and parsed, nothing committed.
    case midBatch
    /// The store log just grew: the batch's records are written and `fdatasync` is running (or
    /// the index is being written and synced). The commit thread's wchan confirms it when it can.
    case midFsync
    /// The archive or duplicates folder just changed: a batch's files are being linked there,
    /// before their records are committed.
    case midLink
    /// The inbox just changed (only the daemon changes it once the burst is in): a committed
    /// batch's files are leaving it, one unlink at a time.
    case midUnlink

    /// Phases whose trigger needs a batch staged or committed, so each costs up to a batch of the burst.
    var consumesBatch: Bool { self != .startup && self != .midBatch }
}

/// Watches a running daemon from outside (its /proc entries and its state folder, no strace)
/// to kill it close to a chosen phase.
struct KillProbe {
    let pid: Int32
    let inbox: String
    let state: String

    /// What the state folder looked like while the daemon was down, to tell progress from it.
    struct Baseline {
        var logSize: Int64
        var archiveStamp: timespec?
        var duplicatesStamp: timespec?
        var inboxStamp: timespec?
    }

    static func baseline(state: String, inbox: String) -> Baseline {
        Baseline(logSize: size(state + "/store/articles.jsonl"), archiveStamp: modified(state + "/archive"),
                 duplicatesStamp: modified(state + "/duplicates"), inboxStamp: modified(inbox))
    }

    /// True when one of the daemon's descriptors is a file in the inbox.
    var hasInboxFileOpen: Bool {
        let folder = "/proc/\(pid)/fd"
        guard let dir = opendir(folder) else { return false }
        defer { closedir(dir) }
        var target = [CChar](repeating: 0, count: 4096)
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name.hasPrefix(".") { continue }
            let n = readlink(folder + "/" + name, &target, target.count - 1)
            guard n > 0 else { continue }
            if String(decoding: target[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self).hasPrefix(inbox + "/") { return true }
        }
        return false
    }

    /// Whether the thread that commits the log (`inboxd-commit`) sleeps in a sync right now,
    /// by the kernel function it waits in.
    var commitThreadInSync: Bool {
        let tasks = "/proc/\(pid)/task"
        guard let tids = try? FileManager.default.contentsOfDirectory(atPath: tasks) else { return false }
        for tid in tids {
            guard let comm = try? String(contentsOfFile: "\(tasks)/\(tid)/comm", encoding: .utf8),
                comm.hasPrefix("inboxd-commit"),
                let wchan = try? String(contentsOfFile: "\(tasks)/\(tid)/wchan", encoding: .utf8)
            else { continue }
            return ["sync", "folio_wait", "jbd2", "wait_on_page", "writeback"].contains { wchan.contains($0) }
        }
        return false
    }

    func logGrew(since baseline: Baseline) -> Bool { Self.size(state + "/store/articles.jsonl") > baseline.logSize }

    func foldersChanged(since baseline: Baseline) -> Bool {
        !Self.same(Self.modified(state + "/archive"), baseline.archiveStamp)
            || !Self.same(Self.modified(state + "/duplicates"), baseline.duplicatesStamp)
    }

    func inboxChanged(since baseline: Baseline) -> Bool { !Self.same(Self.modified(inbox), baseline.inboxStamp) }

    func progressed(since baseline: Baseline) -> Bool { logGrew(since: baseline) || foldersChanged(since: baseline) }

    static func size(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : -1
    }

    static func modified(_ path: String) -> timespec? {
        var st = stat()
        return stat(path, &st) == 0 ? st.st_mtim : nil
    }

    static func same(_ a: timespec?, _ b: timespec?) -> Bool {
        a?.tv_sec == b?.tv_sec && a?.tv_nsec == b?.tv_nsec
    }
}

/// Tallies of one chaos run, printed as `FIGURE:` lines.
struct ChaosTally {
    var kills: [ChaosPhase: Int] = [:]
    /// Kills whose trigger was not seen before its deadline (the kill still happened).
    var untriggered = 0
    /// Start-up kills that landed before any progress showed in the state folder.
    var startupBeforeProgress = 0
    /// Mid-fsync kills with the main thread seen inside a sync in the kernel.
    var fsyncConfirmed = 0
    /// The daemon was found dead before a kill: it must never exit on its own.
    var unexpectedExits = 0

    var total: Int { kills.values.reduce(0, +) }

    var summary: String {
        ChaosPhase.allCases.map { "\($0.rawValue)=\(kills[$0, default: 0])" }.joined(separator: " ")
            + " startup_before_progress=\(startupBeforeProgress) fsync_confirmed_by_wchan=\(fsyncConfirmed)"
            + " untriggered=\(untriggered) unexpected_exits=\(unexpectedExits)"
    }
}

/// Kills `daemon` with SIGKILL `plan.kills` times while it ingests the staged burst, each time
/// aimed at a phase, and restarts it without waiting for READY. Round-robin over the phases,
/// except that the phases costing a batch are skipped while the inbox could not last for the
/// kills still to come, at the files per kill the run has cost so far (a faster daemon takes
/// more between a trigger and its kill); then start-up kills land early in their window.
func killRepeatedly(_ daemon: RunningDaemon, plan: ChaosPlan) throws -> ChaosTally {
    var tally = ChaosTally()
    var generator = SystemRandomNumberGenerator()
    var next = 0
    // Spawn to first inbox file opened, re-measured on every mid-batch kill: the start-up window.
    var startupWindow = Duration.milliseconds(50)
    var baseline = KillProbe.baseline(state: daemon.state, inbox: daemon.inbox)
    var spawned = ContinuousClock.now
    let batch = 256.0
    let dropped = daemon.inboxFiles.count
    while tally.total < plan.kills {
        let left = daemon.inboxFiles.count
        if left == 0 { break }
        let remaining = Double(plan.kills - tally.total)
        let filesPerKill = tally.total == 0 ? batch : max(batch / 4, Double(dropped - left) / Double(tally.total))
        let batchesAffordable = Double(left) > remaining * filesPerKill * 1.5 + 2 * batch
        var phase = ChaosPhase.allCases[next % ChaosPhase.allCases.count]
        while phase.consumesBatch && !batchesAffordable {
            next += 1
            phase = ChaosPhase.allCases[next % ChaosPhase.allCases.count]
        }
        next += 1
        let probe = KillProbe(pid: daemon.process.processIdentifier, inbox: daemon.inbox, state: daemon.state)
        var triggered = true
        func watch(_ condition: () -> Bool) {
            var polls = 0
            triggered = false
            _ = try? waitUntil("\(phase) trigger", timeout: .seconds(20), every: .microseconds(200)) {
                polls += 1
                if condition() {
                    triggered = true
                    return true
                }
                // Listing a 10,000-file inbox costs milliseconds: only now and then.
                return !daemon.process.isRunning || (polls % 100 == 0 && daemon.inboxFiles.isEmpty)
            }
        }
        switch phase {
        case .startup:
            let window = Int(startupWindow.components.seconds * 1_000_000 + startupWindow.components.attoseconds / 1_000_000_000_000)
            // Where files are short, early in the window: a late one may land after the first batch.
            let reach = batchesAffordable ? max(1000, window) : max(1000, window / 4)
            usleep(UInt32.random(in: 0...UInt32(reach), using: &generator))
            if !probe.progressed(since: baseline) { tally.startupBeforeProgress += 1 }
        case .midBatch:
            watch { probe.hasInboxFileOpen }
            if triggered {
                startupWindow = ContinuousClock.now - spawned
                usleep(UInt32.random(in: 0...2000, using: &generator))
            }
        case .midFsync:
            var inSync = false
            watch {
                inSync = probe.commitThreadInSync
                return inSync || probe.logGrew(since: baseline)
            }
            if triggered && (inSync || probe.commitThreadInSync) { tally.fsyncConfirmed += 1 }
        case .midLink:
            watch { probe.foldersChanged(since: baseline) }
        case .midUnlink:
            watch { probe.inboxChanged(since: baseline) }
        }
        if !triggered { tally.untriggered += 1 }
        if !daemon.process.isRunning { tally.unexpectedExits += 1 }
        try daemon.killHard()
        tally.kills[phase, default: 0] += 1
        baseline = KillProbe.baseline(state: daemon.state, inbox: daemon.inbox)
        spawned = .now
        // Not waiting for READY: the next kill may land in start-up too.
        try daemon.start(waitForReady: false)
    }
    return tally
}
