import NIOCore
import NIOHTTP1

/// Reads one HTTP/1.1 request at a time, asks the router, writes the answer.
///
/// Oversized bodies get 413 and the connection is closed; a router is never handed a partial body.
final class HTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: @Sendable (APIRequest) -> APIResponse
    private let maxBodyBytes: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var refused = false

    init(router: @escaping @Sendable (APIRequest) -> APIResponse, maxBodyBytes: Int) {
        self.router = router
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
            refused = false
        case .body(var buffer):
            guard !refused else { return }
            if body.count + buffer.readableBytes > maxBodyBytes {
                refused = true
                let message = "request body over \(maxBodyBytes) bytes"
                respond(context: context, APIResponse(status: 413, body: Array(
                    "{\"error\":{\"code\":\"payload_too_large\",\"message\":\"\(message)\"}}".utf8)), keepAlive: false)
                return
            }
            body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        case .end:
            guard let requestHead = head, !refused else { return }
            head = nil
            let request = APIRequest(method: requestHead.method.rawValue, target: requestHead.uri, body: body)
            body = []
            respond(context: context, router(request), keepAlive: requestHead.isKeepAlive)
        }
    }

    private func respond(context: ChannelHandlerContext, _ response: APIResponse, keepAlive: Bool) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let status = HTTPResponseStatus(statusCode: response.status)
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        var buffer = context.channel.allocator.buffer(capacity: response.body.count)
        buffer.writeBytes(response.body)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // One broken client must never take the server down: drop just this connection.
        context.close(promise: nil)
    }
}
