import Foundation
import Glibc

/// Raw Unix-socket clients that misbehave on purpose. Every send uses MSG_NOSIGNAL: a server
/// that hangs up on us must fail the send, not kill the test process with SIGPIPE.
enum Wire {
    static func connect(_ path: String, nonBlocking: Bool = false) throws -> Int32 {
        let fd = try RawClient.connect(path)
        if nonBlocking {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        } else {
            // A blocking send or read on a server that stopped answering gives up instead of
            // hanging the test.
            var timeout = timeval(tv_sec: 5, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }
        return fd
    }

    /// One non-blocking send; the bytes taken, 0 when the socket is full, -1 when the peer is gone.
    static func send(_ fd: Int32, _ bytes: [UInt8]) -> Int {
        let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL) | Int32(MSG_DONTWAIT)) }
        if n >= 0 { return n }
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1
    }

    /// Sends everything unless the peer hangs up or `timeout` passes; true when all was sent.
    static func sendAll(_ fd: Int32, _ bytes: [UInt8], timeout: Duration = .seconds(10)) -> Bool {
        var offset = 0
        let deadline = ContinuousClock.now + timeout
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, min($0.count - offset, 65536), Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno != EINTR && errno != EAGAIN { return false }
            if n > 0 { offset += n }
            if ContinuousClock.now > deadline { return false }
        }
        return true
    }

    static func send(_ fd: Int32, _ text: String) -> Bool { sendAll(fd, Array(text.utf8)) }

    /// What is waiting, without blocking; `eof` when the server has closed its end.
    static func readAvailable(_ fd: Int32) -> (bytes: [UInt8], eof: Bool, reset: Bool) {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
            if n > 0 {
                out.append(contentsOf: buffer[0..<n])
                continue
            }
            if n == 0 { return (out, true, false) }
            if errno == EINTR { continue }
            let gone = errno == ECONNRESET || errno == EPIPE
            return (out, gone, gone)
        }
    }

    /// Reads until the server closes or `timeout` passes; `closed` says which.
    static func readUntilClosed(_ fd: Int32, timeout: Duration) -> (text: String, closed: Bool) {
        var out: [UInt8] = []
        let deadline = ContinuousClock.now + timeout
        var fds = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        while ContinuousClock.now < deadline {
            _ = poll(&fds, 1, 20)
            let (bytes, eof, _) = readAvailable(fd)
            out.append(contentsOf: bytes)
            if eof { return (String(decoding: out, as: UTF8.self), true) }
        }
        return (String(decoding: out, as: UTF8.self), false)
    }

    /// Closes with an RST instead of a FIN (SO_LINGER 0), as a client that crashed would.
    static func reset(_ fd: Int32) {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        close(fd)
    }

    /// Lifts this process's descriptor limit: the tests hold hundreds of connections.
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}

/// Counts event lines in a chunked `/v1/events` stream, read in pieces: a line ends `}\n`, while
/// the chunk framing's lines end `\r\n`.
struct EventCounter {
    private(set) var lines = 0
    private var last: UInt8 = 0

    mutating func feed(_ bytes: [UInt8]) {
        guard !bytes.isEmpty else { return }
        bytes.withUnsafeBufferPointer { buffer in
            let base = buffer.baseAddress!
            var offset = 0
            while offset < buffer.count, let hit = memchr(base + offset, 0x0A, buffer.count - offset) {
                let index = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if (index == 0 ? last : buffer[index - 1]) == UInt8(ascii: "}") { lines += 1 }
                offset = index + 1
            }
        }
        last = bytes[bytes.count - 1]
    }
}

/// The daemon process seen from /proc: open descriptors and resident memory.
struct ProcessGauge {
    let pid: Int32

    var descriptors: Int { ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count }

    /// VmRSS in MiB.
    var residentMiB: Double {
        let text = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = text.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
    }
}

/// A well-behaved client timing `GET /v1/status` over a fresh connection, as a script would.
struct StatusProbe {
    let socket: String
    private(set) var milliseconds: [Double] = []

    init(socket: String) { self.socket = socket }

    /// One request; an error or no whole 200 answer within 5 s counts as 5 s.
    @discardableResult
    mutating func measure() -> Bool {
        let started = ContinuousClock.now
        var ok = false
        if let fd = try? Wire.connect(socket) {
            if Wire.send(fd, "GET /v1/status HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n") {
                let answer = Wire.readUntilClosed(fd, timeout: .seconds(5))
                ok = answer.closed && answer.text.hasPrefix("HTTP/1.1 200") && answer.text.hasSuffix("}")
            }
            close(fd)
        }
        let elapsed = ContinuousClock.now - started
        milliseconds.append(ok ? Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000 : 5000)
        return ok
    }

    func percentile(_ p: Double) -> Double {
        let sorted = milliseconds.sorted()
        guard !sorted.isEmpty else { return .infinity }
        return sorted[min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded(.up)))]
    }

    var summary: String {
        String(format: "n=%d p50=%.1fms p99=%.1fms max=%.1fms", milliseconds.count, percentile(0.5), percentile(0.99), percentile(1))
    }
}

extension RunningDaemon {
    var gauge: ProcessGauge { ProcessGauge(pid: process.processIdentifier) }

    /// `inboxd_event_subscribers` from /metrics.
    func eventSubscribers() throws -> Int {
        let text = try client.request("GET", "/metrics").bodyText
        let line = text.split(separator: "\n").first { $0.hasPrefix("inboxd_event_subscribers ") } ?? ""
        return Int(line.split(separator: " ").last ?? "") ?? -1
    }

    /// Renames every staged corpus file into the inbox at once.
    func burst(_ corpus: Corpus) throws {
        for name in corpus.names {
            guard rename(dir.sub("stage") + "/" + name, inbox + "/" + name) == 0 else { throw POSIXError(.init(rawValue: errno)!) }
        }
    }

    var burstDone: Bool { inboxFiles.isEmpty && (try? status().pending) == 0 }
}
