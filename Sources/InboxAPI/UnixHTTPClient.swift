import Glibc

/// A failure to talk to the daemon, with the socket path tried.
public enum ClientError: Error, Sendable, CustomStringConvertible {
    case unreachable(path: String, errno: Int32)
    case protocolError(path: String, String)

    public var description: String {
        switch self {
        case let .unreachable(path, code):
            return "cannot connect to inboxd at \(path): \(String(cString: strerror(code))); "
                + "is the daemon running? (systemctl status inboxd, or set --socket / INBOXD_SOCKET)"
        case let .protocolError(path, message):
            return "bad answer from inboxd at \(path): \(message)"
        }
    }
}

/// One HTTP/1.1 response: status and body bytes.
public struct HTTPResult: Sendable {
    public var status: Int
    public var body: [UInt8]
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
}

/// A minimal HTTP/1.1 client over a Unix stream socket, one request per connection.
///
/// The CLI makes one or a few requests per run; a blocking socket and `Connection: close`
/// keep it small and dependency-free.
public struct UnixHTTPClient: Sendable {
    public let socketPath: String

    public init(socketPath: String) { self.socketPath = socketPath }

    /// Sends `method path` and returns the whole response.
    /// - Throws: `ClientError.unreachable` when nothing listens on the socket,
    ///   `ClientError.protocolError` when the answer is not HTTP.
    public func request(_ method: String, _ path: String, body: [UInt8] = []) throws(ClientError) -> HTTPResult {
        let fd = try connectSocket()
        defer { close(fd) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: inboxd\r\nConnection: close\r\n"
        head += "Content-Length: \(body.count)\r\n"
        if !body.isEmpty { head += "Content-Type: application/json\r\n" }
        head += "\r\n"
        guard writeAll(fd, Array(head.utf8) + body) else {
            throw .protocolError(path: socketPath, "write failed: \(String(cString: strerror(errno)))")
        }
        var response: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; break }
            if n == 0 { break }
            response.append(contentsOf: chunk[0..<n])
        }
        return try parse(response)
    }

    /// A connected stream socket to `socketPath` (close-on-exec); the caller closes it.
    /// - Throws: `ClientError.unreachable` with the errno when nothing accepts there.
    public func connectSocket() throws(ClientError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw .unreachable(path: socketPath, errno: errno) }
        var addr = sockaddr_un()
        addr.sun_family = sa_family_t(AF_UNIX)
        let pathBytes = Array(socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: addr.sun_path)
        guard pathBytes.count < capacity else {
            close(fd)
            throw .unreachable(path: socketPath, errno: ENAMETOOLONG)
        }
        withUnsafeMutableBytes(of: &addr.sun_path) { raw in
            for (i, byte) in pathBytes.enumerated() { raw[i] = byte }
            raw[pathBytes.count] = 0
        }
        let result = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            let code = errno
            close(fd)
            throw .unreachable(path: socketPath, errno: code)
        }
        return fd
    }

    private func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 { if errno == EINTR { continue }; return false }
            offset += n
        }
        return true
    }

    private func parse(_ response: [UInt8]) throws(ClientError) -> HTTPResult {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let headEnd = response.firstRange(of: separator) else {
            throw .protocolError(path: socketPath, "no HTTP header in \(response.count) bytes")
        }
        let head = String(decoding: response[..<headEnd.lowerBound], as: UTF8.self)
        let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
        let statusParts = lines.first?.split(separator: " ") ?? []
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw .protocolError(path: socketPath, "bad status line")
        }
        var body = Array(response[headEnd.upperBound...])
        let chunked = lines.contains { $0.lowercased().hasPrefix("transfer-encoding:") && $0.lowercased().contains("chunked") }
        if chunked { body = Self.dechunk(body) }
        return HTTPResult(status: status, body: body)
    }

    static func dechunk(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var index = 0
        while index < data.count {
            guard let lineEnd = data[index...].firstRange(of: [13, 10]) else { break }
            let sizeText = String(decoding: data[index..<lineEnd.lowerBound], as: UTF8.self)
            guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16), size > 0 else { break }
            let start = lineEnd.upperBound
            let end = min(start + size, data.count)
            out.append(contentsOf: data[start..<end])
            index = end + 2
        }
        return out
    }
}

extension UnixHTTPClient {
    /// GETs a streaming endpoint and calls `onLine` for each complete line as it arrives, until
    /// the daemon closes the stream or `onLine` returns false.
    /// - Throws: `ClientError` when the daemon is unreachable or answers with an error status.
    public func streamLines(_ path: String, onLine: (String) -> Bool) throws(ClientError) {
        let fd = try connectSocket()
        defer { close(fd) }
        let head = "GET \(path) HTTP/1.1\r\nHost: inboxd\r\nConnection: close\r\n\r\n"
        _ = head.withCString { write(fd, $0, strlen($0)) }
        var buffer: [UInt8] = []
        var headerDone = false
        var chunked = false
        var payload: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16384)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; return }
            if n == 0 { return }
            buffer.append(contentsOf: chunk[0..<n])
            if !headerDone {
                guard let end = buffer.firstRange(of: [13, 10, 13, 10]) else { continue }
                let headText = String(decoding: buffer[..<end.lowerBound], as: UTF8.self)
                let parts = headText.split(separator: " ", maxSplits: 2)
                guard parts.count >= 2, let status = Int(parts[1]) else { throw .protocolError(path: socketPath, "bad status line") }
                guard status == 200 else { throw .protocolError(path: socketPath, "HTTP \(status) for \(path)") }
                chunked = headText.lowercased().contains("transfer-encoding: chunked")
                buffer.removeSubrange(..<end.upperBound)
                headerDone = true
            }
            if chunked {
                // Frames: hex size CRLF data CRLF; keep partial frames for the next read.
                while let lineEnd = buffer.firstRange(of: [13, 10]) {
                    let sizeText = String(decoding: buffer[..<lineEnd.lowerBound], as: UTF8.self)
                    guard let size = Int(sizeText.split(separator: ";").first ?? "", radix: 16) else { return }
                    if size == 0 { return }
                    let frameEnd = lineEnd.upperBound + size + 2
                    guard buffer.count >= frameEnd else { break }
                    payload.append(contentsOf: buffer[lineEnd.upperBound..<(lineEnd.upperBound + size)])
                    buffer.removeSubrange(..<frameEnd)
                }
            } else {
                payload.append(contentsOf: buffer)
                buffer.removeAll()
            }
            while let newline = payload.firstIndex(of: 10) {
                let line = String(decoding: payload[..<newline], as: UTF8.self)
                payload.removeSubrange(...newline)
                if !onLine(line) { return }
            }
        }
    }
}
