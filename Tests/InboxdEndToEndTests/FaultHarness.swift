import Foundation
import Glibc
import InboxAPI

/// `inboxd` started through a launcher (`unshare`, `prlimit`, `setpriv`) on folders the test
/// chooses, for faults that need the daemon in its own mount namespace, under a low descriptor
/// limit or as another user. The launcher must exec the daemon in the end, so `pid` is inboxd's.
final class FaultDaemon {
    let dir: TempDir
    let inbox: String
    let state: String
    let socket: String
    let logPath: String
    let launcher: [String]
    private(set) var process = Process()

    init(dir: TempDir = TempDir("inboxd-fault"), inbox: String? = nil, state: String? = nil, socket: String? = nil,
         launcher: [String] = []) throws {
        self.dir = dir
        self.inbox = inbox ?? dir.sub("inbox")
        self.state = state ?? dir.sub("state")
        self.socket = socket ?? dir.sub("inboxd.sock")
        logPath = dir.sub("inboxd.log")
        self.launcher = launcher
        try start()
    }

    func start() throws {
        process = try launchInboxd(launcher + [Repo.inboxd, "--inbox", inbox, "--state", state, "--socket", socket],
                                   logPath: logPath)
        try waitUntil("inboxd ready") {
            guard process.isRunning else { throw TimedOut(what: "inboxd exited early: \(self.log)") }
            return (try? status())?.state == "ready"
        }
    }

    var pid: Int32 { process.processIdentifier }
    var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// A path of the daemon's mount namespace as the test reaches it (through `/proc/PID/root`).
    func seen(_ path: String) -> String { "/proc/\(pid)/root" + path }

    func status() throws -> StatusResponse {
        let result = try UnixHTTPClient(socketPath: socket).request("GET", "/v1/status")
        return try JSONDecoder().decode(StatusResponse.self, from: Data(result.body))
    }

    /// Visible names (no hidden staging files) in a folder of the daemon's namespace.
    func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: seen(folder))) ?? []).filter { !$0.hasPrefix(".") }.sorted()
    }

    var inboxFiles: [String] { files(in: inbox) }
    var archived: [String] { files(in: state + "/archive") }
    /// In the archive and gone from the inbox: ingested. (A file is linked into the archive
    /// before its record is committed, and leaves the inbox after.)
    func isArchived(_ name: String) -> Bool { archived.contains(name) && !inboxFiles.contains(name) }
    var rejected: [String] { files(in: state + "/rejected") }

    /// Runs a command in the daemon's mount namespace.
    @discardableResult
    func inNamespace(_ command: String, _ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try run("/usr/bin/nsenter", ["-t", String(pid), "-m", "--", command] + arguments)
    }

    @discardableResult
    func stop() throws -> Int32 {
        guard process.isRunning else { return process.terminationStatus }
        kill(pid, SIGTERM)
        try waitUntil("inboxd exit", timeout: .seconds(20)) { !process.isRunning }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// Small, distinct, valid articles: a seed with a paragraph only file `n` has.
enum Articles {
    static let seed = (try? Data(contentsOf: Repo.seeds.appendingPathComponent("001_8b43c24e035760d4.txt"))) ?? Data()

    /// Article number `n`, padded with more paragraphs of its own up to `atLeast` bytes.
    static func make(_ n: Int, atLeast size: Int = 0) -> Data {
        var text = String(decoding: seed, as: UTF8.self)
        text += "\n\nGhi chú kiểm thử số \(n): đoạn văn này chỉ có trong tệp thứ \(n) của bộ thử lỗi.\n"
        var paragraph = 0
        while text.utf8.count < size {
            paragraph += 1
            text += "\nĐoạn bổ sung \(n)-\(paragraph) kéo dài tệp để một lần ghi vượt quá một trang bộ nhớ của hệ thống tệp.\n"
        }
        return Data(text.utf8)
    }
}

/// Writes `data` at `path` given as raw bytes (names that are not UTF-8).
func writeFile(rawPath: [UInt8], _ data: Data, mode: mode_t = 0o644) -> Bool {
    let path = rawPath.map { CChar(bitPattern: $0) } + [0]
    let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    return data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == data.count
}

/// lstat of a raw-byte path.
func lstatRaw(_ rawPath: [UInt8]) -> stat? {
    var st = stat()
    let path = rawPath.map { CChar(bitPattern: $0) } + [0]
    return lstat(path, &st) == 0 ? st : nil
}

/// SHA-256 in hex, by the system's sha256sum.
func sha256Hex(_ data: Data) throws -> String {
    let result = try run("/usr/bin/sha256sum", ["-"], stdin: data)
    return String(result.stdout.prefix(64))
}

/// The reason file of a rejected entry as JSON.
func reasonJSON(_ path: String) -> [String: Any]? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return (try? JSONSerialization.jsonObject(with: data)) as? [String: Any]
}

/// Every line of a store log parses as JSON (the store never keeps a torn or garbled record).
func storeLinesAllParse(_ path: String) -> (lines: Int, bad: Int) {
    guard let data = FileManager.default.contents(atPath: path) else { return (0, -1) }
    var lines = 0
    var bad = 0
    for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
        lines += 1
        if (try? JSONSerialization.jsonObject(with: Data(line))) == nil { bad += 1 }
    }
    return (lines, bad)
}

/// Binds a listening Unix stream socket at `path` (a socket file in the inbox); returns its fd.
func bindUnixSocket(_ path: String) -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    return withUnixAddress(path) { bind(fd, $0, $1) } == 0 ? fd : -1
}

/// Connects to a Unix socket and keeps the connection open; -1 on failure.
func connectUnix(_ path: String) -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
    if withUnixAddress(path, { connect(fd, $0, $1) }) != 0 { close(fd); return -1 }
    return fd
}

/// Bytes the process has read so far (`rchar` of /proc/PID/io).
func bytesRead(pid: Int32) -> Int {
    guard let text = try? String(contentsOfFile: "/proc/\(pid)/io", encoding: .utf8) else { return -1 }
    for line in text.split(separator: "\n") where line.hasPrefix("rchar:") {
        return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces)) ?? -1
    }
    return -1
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}
