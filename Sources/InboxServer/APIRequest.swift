/// One parsed request handed to the router: transport details stay in the server.
public struct APIRequest: Sendable {
    public var method: String
    public var path: String
    public var query: [String: String]
    public var body: [UInt8]
    /// The connecting process's uid from `SO_PEERCRED` (nil if the kernel did not say).
    public var peerUID: UInt32?

    public init(method: String, target: String, body: [UInt8], peerUID: UInt32? = nil) {
        self.method = method
        self.body = body
        self.peerUID = peerUID
        let parts = target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = parts.first.map { Self.percentDecode(String($0)) } ?? "/"
        var query: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = Self.percentDecode(String(kv[0]))
                query[key] = kv.count == 2 ? Self.percentDecode(String(kv[1])) : ""
            }
        }
        self.query = query
    }

    /// `%XX` and `+` decoding; invalid escapes are kept as written.
    static func percentDecode(_ text: String) -> String {
        guard text.contains(where: { $0 == "%" || $0 == "+" }) else { return text }
        var out: [UInt8] = []
        let bytes = Array(text.utf8)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "%"), i + 2 < bytes.count,
               let value = UInt8(String(decoding: bytes[(i + 1)...(i + 2)], as: UTF8.self), radix: 16) {
                out.append(value)
                i += 3
            } else {
                out.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// What the router answers: status, content type and body, or a live stream of lines.
public struct APIResponse: Sendable {
    /// Starts a stream: called with a sink for lines; returns how to stop it (on disconnect).
    public typealias Subscribe = @Sendable (_ sink: @escaping @Sendable (String) -> Void) -> (@Sendable () -> Void)

    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    public var stream: Subscribe?

    public init(status: Int, contentType: String = "application/json", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }

    /// A chunked response that stays open and carries one line per event.
    public static func stream(contentType: String = "application/x-ndjson", _ subscribe: @escaping Subscribe) -> APIResponse {
        var response = APIResponse(status: 200, contentType: contentType, body: [])
        response.stream = subscribe
        return response
    }
}
