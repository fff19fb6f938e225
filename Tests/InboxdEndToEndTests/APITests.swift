import Foundation
import Glibc
import InboxAPI
import Testing

/// The rest of the API and CLI against a real daemon: events, metrics, rejected/retry, access
/// control, and service under a crowd of clients while a burst is ingested.
@Suite(.serialized)
struct APITests {
    func seededDaemon() throws -> RunningDaemon {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.sub("inbox"), withIntermediateDirectories: true)
        for seed in try FileManager.default.contentsOfDirectory(atPath: Repo.seeds.path) {
            try FileManager.default.copyItem(atPath: Repo.seeds.appendingPathComponent(seed).path, toPath: dir.sub("inbox") + "/" + seed)
        }
        return try RunningDaemon(dir: dir)
    }

    @Test func followSeesFileDroppedAfterItStarted() throws {
        let daemon = try seededDaemon()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Repo.inboxctl)
        process.arguments = ["follow", "--json", "--socket", daemon.socket]
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        try waitUntil("follower subscribed") {
            let metrics = try daemon.client.request("GET", "/metrics").bodyText
            return metrics.contains("inboxd_event_subscribers 1")
        }
        try daemon.drop("late.txt", Data("Một bài viết mới đến muộn.\n\nNội dung bài viết thứ hai rất ngắn.\n".utf8))
        var received = Data()
        try waitUntil("event line") {
            received.append(out.fileHandleForReading.availableData)
            return received.contains(UInt8(ascii: "\n"))
        }
        let line = String(decoding: received.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        let event = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
        #expect(event?["event"] as? String == "ingested")
        #expect(event?["file"] as? String == "late.txt")
    }

    /// The API thread asks for a short time slice, so a request preempts ingestion at once instead
    /// of waiting out a parsing thread's slice (Linux 6.12+; older kernels have no per-thread slice).
    @Test func apiThreadRunsWithAShortSlice() throws {
        let daemon = try seededDaemon()
        let tasks = "/proc/\(daemon.process.processIdentifier)/task"
        let threads = try FileManager.default.contentsOfDirectory(atPath: tasks).map { tasks + "/" + $0 }
        func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }
        let api = try #require(threads.first { read($0 + "/comm").hasPrefix("NIO-ELT") }, "no API thread")
        let slices = threads.compactMap { thread -> (String, Int)? in
            guard let line = read(thread + "/sched").split(separator: "\n").first(where: { $0.hasPrefix("se.slice") }),
                let value = line.split(separator: ":").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) })
            else { return nil }
            return (thread, value)
        }
        var name = utsname()
        uname(&name)
        let release = withUnsafeBytes(of: &name.release) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let version = release.split(separator: ".").prefix(2).compactMap { Int($0.prefix { $0.isNumber }) }
        if version.count == 2 && (version[0], version[1]) < (6, 12) {
            #expect(slices.isEmpty, "kernel \(release) shows per-thread slices: check the API thread's")
            return
        }
        let apiSlice = try #require(slices.first { $0.0 == api }?.1, "kernel \(release) shows no se.slice")
        #expect(apiSlice == 100_000)
        #expect(slices.contains { $0.0 != api && $0.1 > apiSlice }, "the other threads keep the default slice")
    }

    @Test func metricsPassPromtool() throws {
        let daemon = try seededDaemon()
        try daemon.drop("empty.txt", Data())
        try daemon.drop("copy.txt", try Data(contentsOf: Repo.seeds.appendingPathComponent("003_88905224bfe96889.txt")))
        try waitUntil("files handled") { daemon.inboxFiles.isEmpty && (try? daemon.status().duplicates) == 1 }
        let text = try daemon.client.request("GET", "/metrics").bodyText
        #expect(text.contains("inboxd_ingested_total 5"))
        #expect(text.contains("inboxd_duplicates_total{kind=\"exact\"} 1"))
        // The copy's bytes were on record: recognised by its raw hash, not parsed again.
        #expect(text.contains("inboxd_parses_skipped_total 1"))
        #expect(text.contains("inboxd_rejected_total{reason=\"empty\"} 1"))
        #expect(text.contains("inboxd_ingest_latency_seconds_count 7"))
        // `make test` unpacks promtool into out/tools; a system-wide one does as well.
        let promtool = ProcessInfo.processInfo.environment["INBOXD_PROMTOOL"] ?? "/usr/bin/promtool"
        let check = try run(promtool, ["check", "metrics"], stdin: Data(text.utf8))
        #expect(check.status == 0, "promtool: \(check.stdout) \(check.stderr)")
    }

    @Test func rejectedListAndRetryInBothModes() throws {
        let daemon = try seededDaemon()
        try daemon.drop("empty.txt", Data())
        try waitUntil("rejected") { daemon.rejected.contains("empty.txt") }
        let human = try run(Repo.inboxctl, ["rejected", "--socket", daemon.socket])
        #expect(human.stdout.contains("empty.txt") && human.stdout.contains("empty"))
        let json = try run(Repo.inboxctl, ["rejected", "--json", "--socket", daemon.socket])
        let items = (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])?["rejected"] as? [[String: Any]]
        #expect(items?.first?["code"] as? String == "empty")
        let retry = try run(Repo.inboxctl, ["retry", "empty.txt", "--socket", daemon.socket])
        #expect(retry.status == 0, "\(retry.stderr)")
        // Taken again and, still empty, rejected again: under a new name, the old reason gone.
        try waitUntil("rejected again") { daemon.rejected.contains("empty.1.txt") || daemon.rejected.contains("empty.txt") }
        let missing = try run(Repo.inboxctl, ["retry", "nope.txt", "--socket", daemon.socket])
        #expect(missing.status == 1)
    }

    @Test func duplicatesInBothModes() throws {
        let daemon = try seededDaemon()
        try daemon.drop("copy.txt", try Data(contentsOf: Repo.seeds.appendingPathComponent("003_88905224bfe96889.txt")))
        var crlf = try String(contentsOf: Repo.seeds.appendingPathComponent("004_bbfadb0087711f81.txt"), encoding: .utf8)
        crlf = crlf.replacingOccurrences(of: "\n", with: "\r\n")
        try daemon.drop("windows.txt", Data(crlf.utf8))
        try waitUntil("duplicates recorded") { (try? daemon.status().duplicates) == 2 }
        let json = try run(Repo.inboxctl, ["duplicates", "--json", "--socket", daemon.socket])
        let articles = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]] ?? []
        let kinds = articles.flatMap { ($0["duplicates"] as? [[String: Any]] ?? []).compactMap { $0["kind"] as? String } }
        #expect(kinds.sorted() == ["exact", "normalized"])
        let human = try run(Repo.inboxctl, ["duplicates", "--socket", daemon.socket])
        #expect(human.stdout.contains("windows.txt") && human.stdout.contains("normalized"))
    }

    @Test func addCopiesSafelyAndRefusesNonRegularFiles() throws {
        let daemon = try seededDaemon()
        let source = daemon.dir.sub("new.txt")
        try Data("Bài viết thêm bằng inboxctl add.\n\nĐoạn thứ hai của bài viết.\n".utf8).write(to: URL(fileURLWithPath: source))
        let added = try run(Repo.inboxctl, ["add", source, "--json", "--socket", daemon.socket])
        #expect(added.status == 0)
        try waitUntil("added file ingested") { daemon.isArchived("new.txt") }
        let refused = try run(Repo.inboxctl, ["add", "/dev/null", "--socket", daemon.socket])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("not a regular file"))
        #expect(daemon.inboxFiles.isEmpty, "no temporary file left behind")
    }

    @Test func reloadInBothModes() throws {
        let daemon = try seededDaemon()
        let reload = try run(Repo.inboxctl, ["reload", "--json", "--socket", daemon.socket])
        #expect(reload.status == 0)
        #expect(reload.stdout.contains("reloading"))
        try waitUntil("ready after reload") { (try? daemon.status().state) == "ready" }
    }

    @Test(.enabled(if: getuid() == 0, "creating a throw-away user needs root"))
    func otherUserMayReadButNotAct() throws {
        let daemon = try seededDaemon()
        let user = "inboxdt\(getpid() % 100000)"
        #expect(try run("/usr/sbin/useradd", ["--system", "--no-create-home", "--user-group", "--shell", "/usr/sbin/nologin", user]).status == 0)
        defer { _ = try? run("/usr/sbin/userdel", [user]) }
        // The readers' group: the socket is 0660, so group membership is what lets a reader in.
        #expect(try run("/bin/chgrp", [user, daemon.socket]).status == 0)
        #expect(chmod(daemon.dir.path, 0o755) == 0)
        let asUser = ["/usr/bin/setpriv", "--reuid=\(user)", "--regid=\(user)", "--init-groups", Repo.inboxctl, "--socket", daemon.socket]
        let status = try run(asUser[0], Array(asUser.dropFirst()) + ["status", "--json"])
        #expect(status.status == 0, "\(status.stderr)")
        try daemon.drop("empty.txt", Data())
        try waitUntil("rejected") { daemon.rejected.contains("empty.txt") }
        let retry = try run(asUser[0], Array(asUser.dropFirst()) + ["retry", "empty.txt"])
        #expect(retry.status == 1)
        #expect(retry.stderr.contains("may read but not change"))
        #expect(daemon.rejected.contains("empty.txt"), "refused retry moved nothing")
        let curl = try run("/usr/bin/setpriv", ["--reuid=\(user)", "--regid=\(user)", "--init-groups", "/usr/bin/curl", "-s",
                                                "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", "--unix-socket", daemon.socket, "http://x/v1/reload"])
        #expect(curl.stdout == "403")
    }

    @Test func answersCrowdAndIgnoresSlowClientsDuringBurst() throws {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        let corpus = try Corpus(articles: 1000)
        let daemon = try RunningDaemon()
        try corpus.stage(into: daemon.dir.sub("stage"))
        // 200 slow clients: half a request line, never finished.
        let slow = try (0..<200).map { _ -> Int32 in
            let fd = try RawClient.connect(daemon.socket)
            _ = RawClient.send(fd, "GET /v1/sta")
            return fd
        }
        defer { slow.forEach { close($0) } }
        for name in corpus.names { _ = rename(daemon.dir.sub("stage") + "/" + name, daemon.inbox + "/" + name) }
        // 1,000 concurrent well-behaved clients: all connected before any answer is read.
        let clients = try (0..<1000).map { _ in try RawClient.connect(daemon.socket) }
        for fd in clients { #expect(RawClient.send(fd, "GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) }
        var answered = 0
        for fd in clients {
            if RawClient.readAll(fd).hasPrefix("HTTP/1.1 200") { answered += 1 }
            close(fd)
        }
        #expect(answered == 1000)
        try waitUntil("burst ingested with clients around", timeout: .seconds(120)) {
            daemon.inboxFiles.isEmpty && (try? daemon.status().pending) == 0
        }
        #expect(try daemon.status().articles == corpus.expectedDistinct)
    }
}

/// Bare blocking Unix-socket clients, to hold many connections open at once.
enum RawClient {
    static func connect(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        guard withUnixAddress(path, { Glibc.connect(fd, $0, $1) }) == 0 else {
            close(fd)
            throw POSIXError(.init(rawValue: errno)!)
        }
        return fd
    }

    static func send(_ fd: Int32, _ text: String) -> Bool {
        text.withCString { write(fd, $0, strlen($0)) } == text.utf8.count
    }

    static func readAll(_ fd: Int32) -> String {
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = read(fd, &buffer, buffer.count)
            if n <= 0 { break }
            out.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
