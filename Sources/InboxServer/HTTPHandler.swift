import CLinux
import Glibc
import NIOCore
import NIOHTTP1
import Synchronization

/// Reads one HTTP/1.1 request at a time, asks the router, writes the answer.
///
/// Guards every connection so no client can stall the others or ingestion: a request must arrive
/// whole within `requestTimeout` (slowloris), an idle keep-alive connection is closed after
/// `idleTimeout`, bodies over `maxBodyBytes` get 413, a client that sends requests without reading
/// the answers gets no further answer until it reads (pipelined requests wait, unread, in the
/// socket), and a streaming client that stops reading is dropped rather than buffered for.
final class HTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: @Sendable (APIRequest) -> APIResponse
    private let limits: ServerLimits
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var refused = false
    private var streaming = false
    private var peerUID: UInt32?
    private var timer: Scheduled<Void>?
    /// A complete request held back while the client has not read the previous answers.
    private var parked: (request: APIRequest, keepAlive: Bool)?

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
        context.fireChannelInactive()
    }

    /// Closes the connection unless the timer is re-armed or cancelled first.
    private func arm(context: ChannelHandlerContext, after delay: TimeAmount) {
        timer?.cancel()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: delay) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        // Requests still queued in the pipeline when the connection closes are not answered.
        guard !streaming, context.channel.isActive else { return }
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
            guard context.channel.isWritable else {
                // The previous answers are still unread (over the write buffer's high-water mark):
                // answer once they drain. Until then HTTPServerPipelineHandler holds back further
                // pipelined requests and stops reading, so a client that only sends costs neither
                // memory nor work; the request timer armed at this head closes it if it never reads.
                parked = (request, requestHead.isKeepAlive)
                return
            }
            answer(context: context, request, keepAlive: requestHead.isKeepAlive)
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let waiting = parked {
            parked = nil
            answer(context: context, waiting.request, keepAlive: waiting.keepAlive)
        }
        context.fireChannelWritabilityChanged()
    }

    private func answer(context: ChannelHandlerContext, _ request: APIRequest, keepAlive: Bool) {
        let response = router(request)
        if let subscribe = response.stream {
            startStream(context: context, response: response, subscribe: subscribe)
        } else {
            respond(context: context, response, keepAlive: keepAlive)
            arm(context: context, after: limits.idleTimeout)
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

    /// Chunked, open-ended. Publishers (any thread) drop lines into the stream's mailbox; at most
    /// one flush per stream is queued on its event loop, and it writes whatever piled up as one
    /// chunk, so a burst costs each follower a few writes, not one task and one write per line.
    /// A reader that falls behind the channel's write buffer, or whose mailbox overflows while
    /// the loop is busy, is disconnected: the publisher never waits and memory stays bounded.
    private func startStream(context: ChannelHandlerContext, response: APIResponse, subscribe: APIResponse.Subscribe) {
        streaming = true
        timer?.cancel()
        timer = nil
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Cache-Control", value: "no-store")
        context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        // The stream is this connection's last answer: nothing is left to keep in order. The
        // pipelining handler would hold back reads until the (never coming) end of this answer,
        // so a follower that goes away would only be noticed at the next event's write; without
        // it the connection keeps reading and sees the EOF or reset at once.
        if let pipelining = try? context.pipeline.syncOperations.handler(type: HTTPServerPipelineHandler.self) {
            context.pipeline.syncOperations.removeHandler(pipelining, promise: nil)
        }
        let channel = context.channel
        let loop = context.eventLoop
        let mailbox = StreamMailbox(limit: limits.maxStreamBacklogBytes)
        let stop = subscribe { line in
            guard mailbox.post(line) else { return }
            loop.execute {
                guard channel.isActive else { return }
                guard let bytes = mailbox.take(), channel.isWritable else {
                    channel.close(promise: nil)
                    return
                }
                // An empty chunk would read as the end of the stream.
                guard !bytes.isEmpty else { return }
                var buffer = channel.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                channel.writeAndFlush(HTTPServerResponsePart.body(.byteBuffer(buffer)), promise: nil)
            }
        }
        // However and whenever the connection ends (even if it already has: a client that sent
        // its request and hung up at once), the subscription ends with it.
        channel.closeFuture.whenComplete { _ in stop() }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // One broken client must never take the server down: drop just this connection.
        context.close(promise: nil)
    }
}

/// Event lines waiting for one stream's event loop. `post` tells the publisher whether to queue
/// a flush (only when none is queued); `take` hands the flush everything at once, or nil once
/// more than `limit` bytes piled up (the follower is then dropped).
final class StreamMailbox: Sendable {
    private struct State {
        var pending: [UInt8] = []
        var flushQueued = false
        var overflowed = false
    }

    private let state = Mutex(State())
    private let limit: Int

    init(limit: Int) { self.limit = limit }

    func post(_ line: String) -> Bool {
        state.withLock { s in
            guard !s.overflowed else { return false }
            if s.pending.count + line.utf8.count > limit {
                s.overflowed = true
                s.pending = []
            } else {
                s.pending.append(contentsOf: line.utf8)
            }
            guard !s.flushQueued else { return false }
            s.flushQueued = true
            return true
        }
    }

    func take() -> [UInt8]? {
        state.withLock { s in
            s.flushQueued = false
            guard !s.overflowed else { return nil }
            defer { s.pending = [] }
            return s.pending
        }
    }
}

/// Per-connection limits; defaults suit a local API used by people and scripts.
public struct ServerLimits: Sendable {
    public var maxBodyBytes = 1 << 20
    public var requestTimeout = TimeAmount.seconds(10)
    public var idleTimeout = TimeAmount.seconds(60)
    public var maxConnections = 2048
    /// Event bytes one follower may have waiting for the event loop (a loop busy with a large
    /// answer delays every flush; a follower over this is dropped).
    public var maxStreamBacklogBytes = 256 << 10

    public init() {}
}
