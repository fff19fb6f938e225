import Foundation
import Glibc
import InboxAPI
import Testing

/// The systemd protocol without a manager: a datagram socket stands in for `NOTIFY_SOCKET`,
/// `systemd-socket-activate` passes a listening socket. Tests/systemd/run.sh checks the same
/// behaviour under a real systemd; these run anywhere, fast.
@Suite struct SystemdProtocolTests {
    /// `inboxd --config FILE` on temporary folders, its output in a log file.
    final class Daemon {
        let dir = TempDir("inboxd-sd")
        let process = Process()
        let listener: NotifyListener
        var messages: [String] = []
        /// Messages before this index were matched (or skipped) by an earlier `waitFor`.
        var cursor = 0
        var inbox: String { dir.sub("inbox") }
        var config: String { dir.sub("inboxd.conf") }
        var log: String { (try? String(contentsOfFile: dir.sub("log"), encoding: .utf8)) ?? "" }

        /// With `inboxFlag` false the inbox comes from the config file (`inbox = ...`), so a reload
        /// can change it; flags always win over the file.
        init(configText: String = "max_file_size = 10M\n", inboxFlag: Bool = true, environment: [String: String] = [:],
             prepare: (Daemon) throws -> Void = { _ in }) throws {
            listener = try NotifyListener(path: dir.sub("notify.sock"))
            try FileManager.default.createDirectory(atPath: dir.sub("inbox"), withIntermediateDirectories: true)
            try ((inboxFlag ? "" : "inbox = \(dir.sub("inbox"))\n") + configText).write(toFile: dir.sub("inboxd.conf"), atomically: true, encoding: .utf8)
            try prepare(self)
            process.executableURL = URL(fileURLWithPath: Repo.inboxd)
            process.arguments = (inboxFlag ? ["--inbox", inbox] : []) + ["--state", dir.sub("state"), "--socket", dir.sub("inboxd.sock"), "--config", config]
            var env = ProcessInfo.processInfo.environment
            for key in ["NOTIFY_SOCKET", "JOURNAL_STREAM", "WATCHDOG_USEC", "WATCHDOG_PID", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"] { env.removeValue(forKey: key) }
            env["NOTIFY_SOCKET"] = listener.path
            for (key, value) in environment { env[key] = value }
            process.environment = env
            _ = FileManager.default.createFile(atPath: dir.sub("log"), contents: nil)
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.sub("log")))
            process.standardError = log
            process.standardOutput = log
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }

        deinit {
            if process.isRunning {
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
        }

        /// Waits for the next datagram containing `text`, after the last one matched.
        @discardableResult
        func waitFor(_ text: String, timeout: Duration = .seconds(30)) throws -> String {
            var found: Int?
            try waitUntil("a notification with \(text) (got: \(messages.suffix(5)))", timeout: timeout) {
                while let message = listener.receive() { messages.append(message) }
                found = messages[cursor...].firstIndex { $0.contains(text) }
                return found != nil
            }
            cursor = found! + 1
            return messages[found!]
        }

        func drop(_ name: String, _ text: String) throws {
            let temp = inbox + "/.tmp-" + name
            try text.write(toFile: temp, atomically: false, encoding: .utf8)
            #expect(rename(temp, inbox + "/" + name) == 0)
        }

        func rejectionCode(_ name: String) -> String? {
            guard let data = FileManager.default.contents(atPath: dir.sub("state") + "/rejected/\(name).reason.json"),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return nil }
            return object["code"] as? String
        }
    }

    static func article(_ n: Int) -> String {
        "Harbour cranes back in service, number \(n)\n\nThe port authority said crane \(n) returned to service after \(n) weeks of repairs.\n\n"
            + "Workers on shift \(n) reported that loading times fell by a third once the crane was running again.\n"
    }

    @Test func reportsStartUpProgressAndExtendsTheStartTimeout() throws {
        let daemon = try Daemon { daemon in
            for n in 0..<600 { try Self.article(n).write(toFile: daemon.inbox + "/a\(n).txt", atomically: false, encoding: .utf8) }
        }
        let first = try daemon.waitFor("Starting: 256/600 files")
        #expect(first.contains("EXTEND_TIMEOUT_USEC="))
        let usec = first.split(separator: "\n").first { $0.hasPrefix("EXTEND_TIMEOUT_USEC=") }.flatMap { Int($0.dropFirst(20)) } ?? 0
        #expect(usec >= 10_000_000, "at least 10 s more each batch")
        try daemon.waitFor("Starting: 512/600 files")
        let ready = try daemon.waitFor("READY=1")
        #expect(ready.contains("STATUS=Watching \(daemon.inbox): 600 articles, 0 duplicates, 0 rejected"))
        #expect(!daemon.messages[daemon.cursor...].contains { $0.contains("EXTEND_TIMEOUT_USEC=") }, "no start-up extension after READY=1")
    }

    @Test func reloadsTheConfigurationOnSIGHUP() throws {
        let daemon = try Daemon(inboxFlag: false)
        try daemon.waitFor("READY=1")
        let inboxLine = "inbox = \(daemon.inbox)\n"
        let big = String(repeating: Self.article(1), count: 8)  // about 2.5 KiB

        try (inboxLine + "max_file_size = 1K\nlog_level = debug\n").write(toFile: daemon.config, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        let reloading = try daemon.waitFor("RELOADING=1")
        #expect(reloading.contains("MONOTONIC_USEC="))
        let ready = try daemon.waitFor("READY=1")
        #expect(!ready.contains("Reload failed"))
        try daemon.drop("big1.txt", big)
        try waitUntil("big1.txt rejected as too_large") { daemon.rejectionCode("big1.txt") == "too_large" }

        // An invalid file: refused, the 1K limit stays, STATUS says why, the process goes on.
        try (inboxLine + "max_file_size = 1M\nlog_level = loud\n").write(toFile: daemon.config, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        try daemon.waitFor("RELOADING=1")
        let refused = try daemon.waitFor("READY=1")
        #expect(refused.contains("STATUS=Reload failed, previous configuration kept:"))
        #expect(refused.contains("log_level = loud"))
        try daemon.drop("big2.txt", big)
        try waitUntil("big2.txt rejected as too_large") { daemon.rejectionCode("big2.txt") == "too_large" }
        #expect(daemon.process.isRunning)

        // A new inbox needs a restart: kept, and said.
        try "inbox = \(daemon.dir.sub("elsewhere"))\nmax_file_size = 1M\n".write(toFile: daemon.config, atomically: true, encoding: .utf8)
        kill(daemon.process.processIdentifier, SIGHUP)
        try daemon.waitFor("RELOADING=1")
        let pending = try daemon.waitFor("READY=1")
        #expect(pending.contains("STATUS=Restart to apply the new inbox; Watching \(daemon.inbox):"))
        try daemon.drop("big3.txt", big)
        try waitUntil("big3.txt taken from the old inbox with the new 1M limit") {
            FileManager.default.fileExists(atPath: daemon.dir.sub("state") + "/archive/big3.txt")
        }
        kill(daemon.process.processIdentifier, SIGTERM)
        try daemon.waitFor("STOPPING=1")
        try waitUntil("exit") { !daemon.process.isRunning }
        #expect(daemon.process.terminationStatus == 0)
    }

    @Test func pingsTheWatchdogUntilTheTestWedge() throws {
        // WATCHDOG_USEC=300 ms: a ping every 150 ms while idle; the wedge stops them.
        let daemon = try Daemon(environment: ["WATCHDOG_USEC": "300000", "INBOXD_TEST_WEDGE_AFTER": "2"])
        try daemon.waitFor("READY=1")
        for _ in 0..<3 { try daemon.waitFor("WATCHDOG=1", timeout: .seconds(2)) }
        for n in 0..<3 { try daemon.drop("w\(n).txt", Self.article(n)) }
        try waitUntil("the wedge") { daemon.log.contains("test wedge engaged") }
        while daemon.listener.receive() != nil {}
        // Four ping periods of silence: nothing arrives from a wedged loop.
        let quietUntil = ContinuousClock.now + .milliseconds(600)
        while ContinuousClock.now < quietUntil {
            #expect(daemon.listener.receive()?.contains("WATCHDOG=1") != true, "a wedged loop must not ping")
            usleep(10_000)
        }
        let archived = (try? FileManager.default.contentsOfDirectory(atPath: daemon.dir.sub("state") + "/archive")) ?? []
        #expect(archived.count == 2, "exactly N files taken before the wedge")
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-socket-activate")))
    func servesOnTheSocketSystemdPasses() throws {
        let dir = TempDir("inboxd-sa")
        let socketPath = dir.sub("api.sock")
        let configured = dir.sub("configured.sock")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/systemd-socket-activate")
        process.arguments = ["-l", socketPath, "--fdname=api", Repo.inboxd,
                             "--inbox", dir.sub("inbox"), "--state", dir.sub("state"), "--socket", configured]
        var env = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "JOURNAL_STREAM", "LISTEN_FDS", "LISTEN_PID", "LISTEN_FDNAMES"] { env.removeValue(forKey: key) }
        process.environment = env
        _ = FileManager.default.createFile(atPath: dir.sub("log"), contents: nil)
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.sub("log")))
        process.standardInput = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }

        var status: StatusResponse?
        try waitUntil("an answer on the passed socket") {
            guard let result = try? UnixHTTPClient(socketPath: socketPath).request("GET", "/v1/status") else { return false }
            status = try? JSONDecoder().decode(StatusResponse.self, from: Data(result.body))
            return status != nil
        }
        #expect(status?.inbox == dir.sub("inbox"))
        let log = (try? String(contentsOfFile: dir.sub("log"), encoding: .utf8)) ?? ""
        #expect(log.contains("using the listening socket passed by systemd"))
        #expect(!FileManager.default.fileExists(atPath: configured), "the configured path is not bound")

        kill(process.processIdentifier, SIGTERM)
        try waitUntil("exit") { !process.isRunning }
        #expect(process.terminationStatus == 0)
        var st = stat()
        #expect(lstat(socketPath, &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK, "a socket systemd owns is never unlinked")
    }
}
