import Foundation
import Glibc
import InboxAPI
import Testing

/// Paths of the repository and the built binaries.
enum Repo {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `make test` passes the build's bin folder; a bare `swift test` falls back to the default one.
    static var binDirectory: URL {
        if let dir = ProcessInfo.processInfo.environment["INBOXD_BIN_DIR"], !dir.isEmpty { return URL(fileURLWithPath: dir) }
        return root.appendingPathComponent(".build/debug")
    }

    static var inboxd: String { binDirectory.appendingPathComponent("inboxd").path }
    static var inboxctl: String { binDirectory.appendingPathComponent("inboxctl").path }
    static var seeds: URL { root.appendingPathComponent("seeds") }
    static var corpusGenerator: URL { root.appendingPathComponent("Tests/InboxCoreTests/Fixtures/corpus/make_corpus.py") }
}

struct TimedOut: Error, CustomStringConvertible {
    let what: String
    var description: String { "timed out waiting for \(what)" }
}

/// Polls `condition` every `interval` until it holds or the deadline passes: tests wait on facts,
/// never on sleeps.
func waitUntil(_ what: String, timeout: Duration = .seconds(30), every interval: Duration = .milliseconds(5),
               _ condition: () throws -> Bool) throws {
    let deadline = ContinuousClock.now + timeout
    let pause = UInt32(interval.components.seconds * 1_000_000 + interval.components.attoseconds / 1_000_000_000_000)
    while true {
        if try condition() { return }
        if ContinuousClock.now > deadline { throw TimedOut(what: what) }
        usleep(pause)
    }
}

/// A temporary folder removed when the test ends.
final class TempDir {
    let url: URL
    var path: String { url.path }

    init(_ label: String = "inboxd-test") {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("\(label)-\(getpid())-\(UUID().uuidString.prefix(8))")
        try! FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        url = base
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func sub(_ name: String) -> String { url.appendingPathComponent(name).path }
}

/// Runs a command to completion and returns its exit code and output.
@discardableResult
func run(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
         stdin: Data? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    if let stdin {
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
    } else {
        process.standardInput = FileHandle.nullDevice
        try process.run()
    }
    // Read both pipes before waiting so a chatty child never blocks on a full pipe.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// A running `inboxd` on temporary folders, talked to over its real socket.
final class RunningDaemon {
    let dir: TempDir
    let inbox: String
    let state: String
    let socket: String
    let logPath: String
    private(set) var process: Process
    var extraEnvironment: [String: String]

    init(dir: TempDir = TempDir(), environment: [String: String] = [:], waitForReady: Bool = true) throws {
        self.dir = dir
        inbox = dir.sub("inbox")
        state = dir.sub("state")
        socket = dir.sub("inboxd.sock")
        logPath = dir.sub("inboxd.log")
        extraEnvironment = environment
        try FileManager.default.createDirectory(atPath: inbox, withIntermediateDirectories: true)
        process = Process()
        try start(waitForReady: waitForReady)
    }

    func start(waitForReady: Bool = true) throws {
        process = try launchInboxd([Repo.inboxd, "--inbox", inbox, "--state", state, "--socket", socket],
                                   environment: extraEnvironment, logPath: logPath)
        if waitForReady {
            try waitUntil("inboxd ready") {
                guard process.isRunning else { throw TimedOut(what: "inboxd exited early: \(self.log)") }
                return (try? status())?.state == "ready"
            }
        }
    }

    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    var client: UnixHTTPClient { UnixHTTPClient(socketPath: socket) }

    func status() throws -> StatusResponse {
        let result = try client.request("GET", "/v1/status")
        return try JSONDecoder().decode(StatusResponse.self, from: Data(result.body))
    }

    /// SIGTERM and wait; returns the exit status.
    @discardableResult
    func stop() throws -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(process.processIdentifier, SIGTERM)
        try waitUntil("inboxd exit", timeout: .seconds(20)) { !process.isRunning }
        return process.terminationStatus
    }

    func killHard() throws {
        kill(process.processIdentifier, SIGKILL)
        try waitUntil("inboxd killed") { !process.isRunning }
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
    }

    var inboxFiles: [String] { files(in: inbox) }
    var archived: [String] { files(in: state + "/archive") }
    /// In the archive and gone from the inbox: ingested. (A file is linked into the archive
    /// before its record is committed, and leaves the inbox after.)
    func isArchived(_ name: String) -> Bool { archived.contains(name) && !inboxFiles.contains(name) }
    var duplicates: [String] { files(in: state + "/duplicates") }
    var rejected: [String] { files(in: state + "/rejected") }

    /// Every JSON record of the store log of the given type.
    func storeRecords(type: String = "article") throws -> [[String: Any]] {
        let text = try String(contentsOfFile: state + "/store/articles.jsonl", encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
            return object["type"] as? String == type ? object : nil
        }
    }

    /// Writes a file under a hidden name and renames it in, as a careful producer does.
    func drop(_ name: String, _ data: Data) throws {
        let temp = inbox + "/.tmp-" + UUID().uuidString
        try data.write(to: URL(fileURLWithPath: temp))
        guard rename(temp, inbox + "/" + name) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
    }
}

/// Starts `command` (inboxd, or a launcher that execs it) with the test's environment minus the
/// systemd variables, plus `environment`; stdout and stderr are appended to `logPath`.
func launchInboxd(_ command: [String], environment extra: [String: String] = [:], logPath: String) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: command[0])
    process.arguments = Array(command.dropFirst())
    var environment = ProcessInfo.processInfo.environment
    environment.removeValue(forKey: "NOTIFY_SOCKET")
    environment.removeValue(forKey: "JOURNAL_STREAM")
    for (key, value) in extra { environment[key] = value }
    process.environment = environment
    if !FileManager.default.fileExists(atPath: logPath) { _ = FileManager.default.createFile(atPath: logPath, contents: nil) }
    let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
    log.seekToEndOfFile()
    process.standardError = log
    process.standardOutput = log
    process.standardInput = FileHandle.nullDevice
    try process.run()
    return process
}

/// Calls `body` with `path` as a Unix socket address (bind, connect).
func withUnixAddress<R>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> R) -> R {
    var addr = sockaddr_un()
    addr.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &addr.sun_path) { raw in
        for (i, b) in path.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
    }
    return withUnsafePointer(to: &addr) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { body($0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
}
