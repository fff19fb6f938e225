import CLinux
import Glibc
import InboxAPI
import Synchronization
import NIOCore
import NIOHTTP1
import NIOPosix

/// A failure to serve on the socket, with the path and what to do.
public struct ServerError: Error, Sendable, CustomStringConvertible {
    public let path: String
    public let message: String
    public var description: String { "cannot serve on \(path): \(message)" }
}

/// The HTTP/1.1 + JSON server on a Unix socket (`curl --unix-socket` works against it).
public final class UnixSocketServer: Sendable {
    public let path: String
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let ownsSocketFile: Bool

    /// Binds `path` (replacing a stale socket file), sets mode 0660 and starts serving.
    /// - Throws: `ServerError` when the path cannot be bound (missing folder, permissions, in use).
    public init(path: String, limits: ServerLimits = ServerLimits(),
                router: @escaping @Sendable (APIRequest) -> APIResponse) throws(ServerError) {
        self.path = path
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = Self.bootstrap(group: group, limits: limits, router: router)
        do {
            try Self.refuseLiveSocket(path)
            channel = try bootstrap.bind(unixDomainSocketPath: path, cleanupExistingSocketFile: true).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw ServerError(path: path, message: "\(error)")
        }
        chmod(path, 0o660)
        self.group = group
        ownsSocketFile = true
    }

    /// Serves on a listening socket descriptor passed by the service manager (socket activation).
    /// The socket file belongs to systemd: it is never unlinked here.
    public init(listeningDescriptor fd: Int32, path: String, limits: ServerLimits = ServerLimits(),
                router: @escaping @Sendable (APIRequest) -> APIResponse) throws(ServerError) {
        self.path = path
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = Self.bootstrap(group: group, limits: limits, router: router)
        do {
            channel = try bootstrap.withBoundSocket(fd).wait()
        } catch {
            try? group.syncShutdownGracefully()
            throw ServerError(path: path, message: "\(error)")
        }
        self.group = group
        ownsSocketFile = false
    }

    /// Each client costs a descriptor: lift the soft limit to the hard one (the usual 1024 would
    /// cap the connection limit), and keep connections below it with room for files and the store.
    static func effectiveLimits(_ limits: ServerLimits) -> ServerLimits {
        var rl = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &rl) == 0 else { return limits }
        if rl.rlim_cur < rl.rlim_max {
            var raised = rl
            raised.rlim_cur = rl.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { rl = raised }
        }
        var adjusted = limits
        let available = Int(min(rl.rlim_cur, 1 << 20)) - 128
        adjusted.maxConnections = max(16, min(limits.maxConnections, available))
        return adjusted
    }

    private static func bootstrap(group: MultiThreadedEventLoopGroup, limits requested: ServerLimits,
                                  router: @escaping @Sendable (APIRequest) -> APIResponse) -> ServerBootstrap {
        let limits = effectiveLimits(requested)
        let open = ConnectionCount()
        // Answers are short and wanted at once, even while ingestion keeps both cores busy.
        group.next().execute { _ = inboxd_request_slice(100_000) }
        return ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelInitializer { channel in
                // Over the cap, a new connection is closed at once: existing clients keep their service.
                if open.value.add(1, ordering: .relaxed).newValue > limits.maxConnections {
                    open.value.subtract(1, ordering: .relaxed)
                    return channel.close()
                }
                channel.closeFuture.whenComplete { _ in open.value.subtract(1, ordering: .relaxed) }
                return channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(HTTPHandler(router: router, limits: limits))
                }
            }
    }

    /// A socket file someone still accepts on is another daemon's: refuse rather than steal it.
    static func refuseLiveSocket(_ path: String) throws(ServerError) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFSOCK else {
            throw ServerError(path: path, message: "a non-socket file is in the way; remove it or choose another --socket")
        }
        if UnixProbe.isAccepting(path) {
            throw ServerError(path: path, message: "another inboxd is already serving there; stop it or choose another --socket")
        }
    }

    /// Stops accepting, closes connections, removes the socket file if this process created it.
    public func shutdown() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
        if ownsSocketFile { unlink(path) }
    }
}

enum UnixProbe {
    /// True when something accepts connections on `path` (the client's own connect, reused).
    static func isAccepting(_ path: String) -> Bool {
        guard let fd = try? UnixHTTPClient(socketPath: path).connectSocket() else { return false }
        close(fd)
        return true
    }
}

/// Open connections, shared by every child channel's initializer.
final class ConnectionCount: Sendable {
    let value = Atomic<Int>(0)
}
