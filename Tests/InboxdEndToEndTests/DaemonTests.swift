import Foundation
import Glibc
import InboxAPI
import Testing

/// End to end: the real `inboxd` binary on real folders, real inotify, its real socket.
/// Serialized because one test lowers a system-wide inotify limit for a moment.
@Suite(.serialized)
struct DaemonTests {
    @Test func takesFilesPresentBeforeStart() throws {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.sub("inbox"), withIntermediateDirectories: true)
        for seed in try FileManager.default.contentsOfDirectory(atPath: Repo.seeds.path) {
            try FileManager.default.copyItem(atPath: Repo.seeds.appendingPathComponent(seed).path, toPath: dir.sub("inbox") + "/" + seed)
        }
        let daemon = try RunningDaemon(dir: dir)
        // READY comes after the start-up scan, so the seeds are already in when it is ready.
        #expect(daemon.inboxFiles.isEmpty)
        #expect(try daemon.status().articles == 5)
        #expect(daemon.archived.count == 5)
        #expect(try daemon.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: daemon.socket), "socket file removed on exit")
    }

    /// A file is linked into the archive before its record is committed and leaves the inbox
    /// after. A run stopped between the two leaves the file under both names: the next run takes
    /// that archive name as the file's own, neither a second copy nor a duplicate.
    @Test func fileLeftLinkedBeforeItsCommitIsTakenOnce() throws {
        let dir = TempDir()
        for sub in ["inbox", "state/archive"] {
            try FileManager.default.createDirectory(atPath: dir.sub(sub), withIntermediateDirectories: true)
        }
        try Data(contentsOf: Repo.seeds.appendingPathComponent("003_88905224bfe96889.txt")).write(to: URL(fileURLWithPath: dir.sub("inbox/left.txt")))
        #expect(link(dir.sub("inbox/left.txt"), dir.sub("state/archive/left.txt")) == 0)
        let daemon = try RunningDaemon(dir: dir)
        try waitUntil("taken") { daemon.inboxFiles.isEmpty && (try? daemon.status().pending) == 0 }
        #expect(daemon.archived == ["left.txt"], "the link is the archived copy, not a name to avoid")
        #expect(daemon.duplicates.isEmpty)
        let records = try daemon.storeRecords()
        #expect(records.count == 1 && records.first?["archived_as"] as? String == "left.txt", "\(records)")
        #expect(try daemon.status().duplicates == 0)
        #expect(try daemon.stop() == 0)
    }

    /// The same, one step later: committed, still linked in the inbox. Only the inbox name goes.
    @Test func fileLeftLinkedAfterItsCommitOnlyLeavesTheInbox() throws {
        let daemon = try RunningDaemon()
        let seed = try Data(contentsOf: Repo.seeds.appendingPathComponent("004_bbfadb0087711f81.txt"))
        try daemon.drop("kept.txt", seed)
        try waitUntil("ingested") { daemon.archived == ["kept.txt"] && daemon.inboxFiles.isEmpty }
        #expect(try daemon.stop() == 0)
        #expect(link(daemon.state + "/archive/kept.txt", daemon.inbox + "/kept.txt") == 0)
        try daemon.start()
        try waitUntil("inbox name removed") { daemon.inboxFiles.isEmpty && (try? daemon.status().pending) == 0 }
        #expect(daemon.archived == ["kept.txt"])
        #expect(daemon.duplicates.isEmpty, "the same file is not a duplicate of itself")
        #expect(try daemon.status().duplicates == 0)
        #expect(try daemon.storeRecords().count == 1)
        #expect(FileManager.default.contents(atPath: daemon.state + "/archive/kept.txt") == seed)
        var st = stat()
        #expect(lstat(daemon.state + "/archive/kept.txt", &st) == 0 && st.st_nlink == 1, "one name left")
        #expect(try daemon.stop() == 0)
    }

    @Test func ingestsBurstOfThousandFilesAsTheManifestSays() throws {
        let corpus = try Corpus(articles: 1000)
        let daemon = try RunningDaemon()
        try corpus.dropBurst(into: daemon)
        let status = try daemon.status()
        #expect(status.articles == corpus.expectedDistinct)
        #expect(status.duplicates == corpus.duplicateCount)
        #expect(status.rejected == 0)
        #expect(daemon.archived.count + daemon.duplicates.count == 1000)
        // Each duplicate sighting points at the article of its manifest group.
        let records = try daemon.storeRecords()
        var groupOfFile: [String: String] = [:]
        for (name, entry) in corpus.entries { groupOfFile[name] = entry["group"] as? String }
        let groups = Set(records.compactMap { groupOfFile[$0["source_file"] as? String ?? ""] ?? nil })
        #expect(groups.count == corpus.expectedDistinct, "every group stored once, under its first file")
        #expect(try daemon.stop() == 0)
    }

    @Test func takesFileWrittenInTwoHalvesOnceAndWhole() throws {
        let daemon = try RunningDaemon()
        let seed = try Data(contentsOf: Repo.seeds.appendingPathComponent("004_bbfadb0087711f81.txt"))
        let path = daemon.inbox + "/halves.txt"
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        #expect(fd >= 0)
        let half = seed.count / 2
        _ = seed.prefix(half).withUnsafeBytes { write(fd, $0.baseAddress, half) }
        // Prove the daemon has looked at the inbox since the first half landed: a sentinel goes through.
        try daemon.drop("sentinel.txt", try Data(contentsOf: Repo.seeds.appendingPathComponent("003_88905224bfe96889.txt")))
        try waitUntil("sentinel ingested") { daemon.isArchived("sentinel.txt") }
        #expect(daemon.inboxFiles == ["halves.txt"], "a file still open for writing is not taken")
        _ = seed.suffix(from: half).withUnsafeBytes { write(fd, $0.baseAddress, seed.count - half) }
        close(fd)
        try waitUntil("whole file ingested") { daemon.isArchived("halves.txt") }
        #expect(try Data(contentsOf: URL(fileURLWithPath: daemon.state + "/archive/halves.txt")) == seed)
        #expect(try daemon.status().articles == 2)
        let records = try daemon.storeRecords()
        #expect(records.filter { $0["source_file"] as? String == "halves.txt" }.count == 1)
    }

    /// The archive keeps the original as it arrived, access time included: reading it for
    /// ingestion is not an access by a person (O_NOATIME; relatime would update an atime older
    /// than the mtime on the first read).
    @Test func readingLeavesTheAccessTimeAlone() throws {
        let daemon = try RunningDaemon()
        let stage = daemon.dir.sub("stage.txt")
        try Data(contentsOf: Repo.seeds.appendingPathComponent("003_88905224bfe96889.txt")).write(to: URL(fileURLWithPath: stage))
        var times = [timespec(tv_sec: 1_000_000_000, tv_nsec: 0), timespec(tv_sec: time(nil), tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, stage, &times, 0) == 0)
        #expect(rename(stage, daemon.inbox + "/old-atime.txt") == 0)
        try waitUntil("archived") { daemon.isArchived("old-atime.txt") }
        var st = stat()
        #expect(stat(daemon.state + "/archive/old-atime.txt", &st) == 0)
        #expect(st.st_atim.tv_sec == 1_000_000_000, "atime \(st.st_atim.tv_sec)")
        #expect(try daemon.stop() == 0)
    }

    @Test func leavesTemporaryNamesUntilRenamed() throws {
        let daemon = try RunningDaemon()
        let seed = try Data(contentsOf: Repo.seeds.appendingPathComponent("001_8b43c24e035760d4.txt"))
        let temporary = [".hidden.txt", "article.part", "article.tmp", "article.crdownload", "article.swp", "article.txt~", ".#article.txt"]
        for name in temporary { try seed.write(to: URL(fileURLWithPath: daemon.inbox + "/" + name)) }
        try daemon.drop("sentinel.txt", try Data(contentsOf: Repo.seeds.appendingPathComponent("003_88905224bfe96889.txt")))
        try waitUntil("sentinel ingested") { daemon.isArchived("sentinel.txt") }
        #expect(daemon.inboxFiles == temporary.sorted())
        #expect(rename(daemon.inbox + "/article.part", daemon.inbox + "/article.txt") == 0)
        try waitUntil("renamed file ingested") { daemon.isArchived("article.txt") }
        #expect(try daemon.status().articles == 2)
    }

    @Test(.enabled(if: getuid() == 0, "lowering fs.inotify.max_queued_events needs root"))
    func rescansAfterQueueOverflow() throws {
        let corpus = try Corpus(articles: 300)
        let knob = "/proc/sys/fs/inotify/max_queued_events"
        let saved = try String(contentsOfFile: knob, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        let daemon: RunningDaemon
        do {
            // The limit is read at inotify_init: lower it only while the daemon starts, restore at once.
            try "8\n".write(toFile: knob, atomically: false, encoding: .utf8)
            defer { try? (saved + "\n").write(toFile: knob, atomically: false, encoding: .utf8) }
            daemon = try RunningDaemon()
        }
        #expect(try String(contentsOfFile: knob, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines) == saved)
        try corpus.stage(into: daemon.dir.sub("stage"))
        for name in corpus.names { _ = rename(daemon.dir.sub("stage") + "/" + name, daemon.inbox + "/" + name) }
        try waitUntil("burst ingested after overflow", timeout: .seconds(60)) {
            daemon.inboxFiles.isEmpty && (try? daemon.status().pending) == 0
        }
        let status = try daemon.status()
        #expect(status.overflows >= 1)
        #expect(status.rescans >= 1)
        #expect(status.articles == corpus.expectedDistinct)
        #expect(daemon.archived.count + daemon.duplicates.count == 300)
    }

    @Test func neitherBlocksNorFollowsHostileEntries() throws {
        let daemon = try RunningDaemon()
        #expect(mkfifo(daemon.inbox + "/pipe.txt", 0o644) == 0)
        #expect(symlink("/etc/passwd", daemon.inbox + "/passwd.txt") == 0)
        let big = daemon.dir.sub("big.txt")
        #expect(FileManager.default.createFile(atPath: big, contents: nil))
        #expect(truncate(big, 50 * 1024 * 1024) == 0)
        #expect(rename(big, daemon.inbox + "/big.txt") == 0)
        try daemon.drop("after.txt", try Data(contentsOf: Repo.seeds.appendingPathComponent("003_88905224bfe96889.txt")))
        try waitUntil("ordinary file ingested after hostile ones") { daemon.isArchived("after.txt") }
        try waitUntil("hostile entries rejected") { daemon.inboxFiles.isEmpty }
        let rejected = Set(daemon.rejected)
        for name in ["pipe.txt", "passwd.txt", "big.txt"] {
            #expect(rejected.contains(name))
            #expect(rejected.contains(name + ".reason.json"))
        }
        let reason = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: daemon.state + "/rejected/passwd.txt.reason.json"))) as? [String: Any]
        #expect(reason?["code"] as? String == "symlink")
        let bigReason = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: daemon.state + "/rejected/big.txt.reason.json"))) as? [String: Any]
        #expect(bigReason?["code"] as? String == "too_large")
        var st = stat()
        #expect(lstat(daemon.state + "/rejected/passwd.txt", &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK, "the link moved, not its target")
        #expect(try daemon.status().rejected == 3)
        #expect(try daemon.stop() == 0)
    }

    /// kill -9 at random instants of start-up, mid-batch, mid-fsync and mid-rename while a burst
    /// is ingested (KillChaos.swift). `make test`: 5,000 files, 24 kills; `make chaos`: 10,000
    /// files, 200 kills (INBOXD_CHAOS_FILES, INBOXD_CHAOS_KILLS).
    @Test func survivesRepeatedKillNineDuringBurst() throws {
        let plan = try ChaosPlan.fromEnvironment()
        let started = ContinuousClock.now
        let corpus = try Corpus(articles: plan.files)
        let daemon = try RunningDaemon()
        try corpus.stage(into: daemon.dir.sub("stage"))
        for name in corpus.names { _ = rename(daemon.dir.sub("stage") + "/" + name, daemon.inbox + "/" + name) }
        let tally = try killRepeatedly(daemon, plan: plan)
        try waitUntil("burst finished after kills", timeout: .seconds(max(120, Int64(plan.files / 40)))) {
            daemon.inboxFiles.isEmpty && (try? daemon.status().pending) == 0
        }
        #expect(tally.total == plan.kills, "the burst must outlast \(plan.kills) kills; make it bigger if the daemon got faster")
        #expect(tally.unexpectedExits == 0, "the daemon never exits on its own")
        for phase in ChaosPhase.allCases { #expect(tally.kills[phase, default: 0] > 0, "no kill landed \(phase)") }
        // The store loads cleanly after a clean stop, and says what the last run said.
        let before = try daemon.status()
        #expect(try daemon.stop() == 0)
        try daemon.start()
        let status = try daemon.status()
        #expect(status.articles == before.articles && status.duplicates == before.duplicates)

        // Each file in exactly one place, under its own name.
        let archived = Set(daemon.archived)
        let duplicates = Set(daemon.duplicates)
        #expect(daemon.inboxFiles.isEmpty && daemon.rejected.isEmpty)
        #expect(archived.isDisjoint(with: duplicates))
        #expect(archived.union(duplicates) == Set(corpus.names), "each file in exactly one place")
        // Articles as the manifest says: each group once, under a file of that group.
        let records = try daemon.storeRecords()
        var groupOfFile: [String: String] = [:]
        for (name, entry) in corpus.entries { groupOfFile[name] = entry["group"] as? String }
        let groups = records.compactMap { groupOfFile[$0["source_file"] as? String ?? ""] ?? nil }
        let hashes = records.compactMap { $0["content_hash"] as? String }
        let lost = corpus.expectedDistinct - Set(groups).count
        let doubled = records.count - Set(hashes).count
        #expect(status.articles == corpus.expectedDistinct, "no article lost, none stored twice")
        #expect(records.count == corpus.expectedDistinct && groups.count == records.count)
        #expect(lost == 0 && doubled == 0 && Set(groups).count == groups.count)
        let sightings = try daemon.storeRecords(type: "sighting")
        let sightingKeys = sightings.map { "\($0["article_id"] ?? "")|\($0["file"] ?? "")" }
        #expect(Set(sightingKeys).count == sightingKeys.count, "every duplicate sighting recorded once")
        #expect(sightings.count == corpus.duplicateCount)
        #expect(Set(sightings.compactMap { $0["file"] as? String }) == duplicates, "a sighting for each file in duplicates/")
        let seconds = Double((ContinuousClock.now - started).components.seconds)
        print("FIGURE: chaos files=\(plan.files) kills=\(tally.total)/\(plan.kills) seconds=\(Int(seconds))")
        print("FIGURE: chaos kills per phase: \(tally.summary)")
        print("FIGURE: chaos lost=\(lost) doubled=\(doubled) articles=\(records.count)/\(corpus.expectedDistinct)"
              + " sightings=\(sightings.count)/\(corpus.duplicateCount) duplicate_sightings=\(sightingKeys.count - Set(sightingKeys).count)"
              + " files_placed=\(archived.count + duplicates.count)/\(plan.files)")
    }

    @Test func reportsLifecycleToNotifySocket() throws {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.sub("inbox"), withIntermediateDirectories: true)
        for seed in try FileManager.default.contentsOfDirectory(atPath: Repo.seeds.path) {
            try FileManager.default.copyItem(atPath: Repo.seeds.appendingPathComponent(seed).path, toPath: dir.sub("inbox") + "/" + seed)
        }
        let listener = try NotifyListener(path: dir.sub("notify.sock"))
        var sawReadyWithEmptyInbox = false
        let daemon = try RunningDaemon(dir: dir, environment: ["NOTIFY_SOCKET": listener.path], waitForReady: false)
        var messages: [String] = []
        try waitUntil("READY=1") {
            if let message = listener.receive() {
                messages.append(message)
                if message.contains("READY=1") {
                    sawReadyWithEmptyInbox = daemon.inboxFiles.isEmpty
                    return true
                }
            }
            return false
        }
        #expect(sawReadyWithEmptyInbox, "READY=1 only after the start-up scan took every file")
        let ready = messages.last ?? ""
        #expect(ready.contains("STATUS=Watching \(daemon.inbox): 5 articles, 0 duplicates, 0 rejected"))
        try daemon.drop("copy.txt", try Data(contentsOf: Repo.seeds.appendingPathComponent("003_88905224bfe96889.txt")))
        try waitUntil("STATUS after a duplicate") {
            listener.receive().map { messages.append($0) }
            return messages.contains { $0.contains("5 articles, 1 duplicates") }
        }
        kill(daemon.process.processIdentifier, SIGTERM)
        try waitUntil("STOPPING=1") {
            listener.receive().map { messages.append($0) }
            return messages.contains { $0.contains("STOPPING=1") }
        }
        try waitUntil("exit") { !daemon.process.isRunning }
        #expect(daemon.process.terminationStatus == 0)
    }

    @Test func rejectsBadFlagWithExitCodeTwo() throws {
        let result = try run(Repo.inboxd, ["--no-such-flag"])
        #expect(result.status == 2)
        #expect(result.stderr.split(separator: "\n").count == 1)
        let config = TempDir()
        try "frobnicate = yes\n".write(toFile: config.sub("bad.conf"), atomically: true, encoding: .utf8)
        let bad = try run(Repo.inboxd, ["--config", config.sub("bad.conf"), "--state", config.sub("state")])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("unknown key `frobnicate`"))
    }
}

/// A datagram socket standing in for systemd's notify socket.
final class NotifyListener {
    let path: String
    private let fd: Int32

    init(path: String) throws {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard withUnixAddress(path, { bind(fd, $0, $1) }) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
    }

    deinit { close(fd) }

    /// One datagram if one is waiting.
    func receive() -> String? {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
    }
}
