import CLinux
import Glibc
import NIOCore
import NIOHTTP1

/// Reads one HTTP/1.1 request at a time, asks the router, writes the answer.
///
/// Guards every connection so no client can stall the others or ingestion: a request must arrive
/// whole within `requestTimeout` (slowloris), an idle keep-alive connection is closed after
/// `idleTimeout`, bodies over `maxBodyBytes` get 413, and a streaming client that stops reading
/// is dropped rather than buffered for.
final class HTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: @Sendable (APIRequest) -> APIResponse
    private let limits: ServerLimits
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var refused = false
    private var streaming = false
    private var stopStream: (@Sendable () -> Void)?
    private var peerUID: UInt32?
    private var timer: Scheduled<Void>?

    init(router: @escaping @Sendable (APIRequest) -> APIResponse, limits: ServerLimits) {
        self.router = router
        self.limits = limits
    }

    func channelActive(context: ChannelHandlerContext) {
        if let provider = context.channel as? any SocketOptionProvider {
            let future: EventLoopFuture<inboxd_ucred> = provider.unsafeGetSocketOption(
                level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(INBOXD_SO_PEERCRED))
            let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
            future.whenSuccess { credentials in loopBound.value.peerUID = credentials.uid }
        }
        // The first request must arrive whole within the request timeout of connecting.
        arm(context: context, after: limits.requestTimeout)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        timer?.cancel()
        stopStream?()
        stopStream = nil
        context.fireChannelInactive()
    }

    /// Closes the connection unless the timer is re-armed or cancelled first.
    private func arm(context: ChannelHandlerContext, after delay: TimeAmount) {
        timer?.cancel()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: delay) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !streaming else { return }
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body = []
            refused = false
            // From the first byte of a request, the whole of it must arrive within the timeout.
            arm(context: context, after: limits.requestTimeout)
        case .body(var buffer):
            guard !refused else { return }
            if body.count + buffer.readableBytes > limits.maxBodyBytes {
                refused = true
                let message = "request body over \(limits.maxBodyBytes) bytes"
                respond(context: context, APIResponse(status: 413, body: Array(
                    "{\"error\":{\"code\":\"payload_too_large\",\"message\":\"\(message)\"}}".utf8)), keepAlive: false)
                return
            }
            body.append(contentsOf: buffer.readBytes(length: buffer.readableBytes) ?? [])
        case .end:
            guard let requestHead = head, !refused else { return }
            head = nil
            let request = APIRequest(method: requestHead.method.rawValue, target: requestHead.uri, body: body, peerUID: peerUID)
            body = []
            let response = router(request)
            if let subscribe = response.stream {
                startStream(context: context, response: response, subscribe: subscribe)
            } else {
                respond(context: context, response, keepAlive: requestHead.isKeepAlive)
                arm(context: context, after: limits.idleTimeout)
            }
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

    /// Chunked, open-ended: one write per line, from whatever thread publishes, hopping onto
    /// this connection's event loop. A reader that falls behind the channel's write buffer is
    /// disconnected: the publisher never waits and memory stays bounded.
    private func startStream(context: ChannelHandlerContext, response: APIResponse, subscribe: APIResponse.Subscribe) {
        streaming = true
        timer?.cancel()
        timer = nil
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Cache-Control", value: "no-store")
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        let channel = context.channel
        let loop = context.eventLoop
        stopStream = subscribe { line in
            loop.execute {
                guard channel.isActive else { return }
                guard channel.isWritable else {
                    channel.close(promise: nil)
                    return
                }
                var buffer = channel.allocator.buffer(capacity: line.utf8.count)
                buffer.writeString(line)
                channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // One broken client must never take the server down: drop just this connection.
        context.close(promise: nil)
    }
}

/// Per-connection limits; defaults suit a local API used by people and scripts.
public struct ServerLimits: Sendable {
    public var maxBodyBytes = 1 << 20
    public var requestTimeout = TimeAmount.seconds(10)
    public var idleTimeout = TimeAmount.seconds(60)
    public var maxConnections = 2048

    public init() {}
}
