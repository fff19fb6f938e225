import CLinux
import Glibc
import InboxServer
import InboxStore
import InboxSystemd
import Logging

/// The daemon's lifecycle: load, bind (or take systemd's socket), watch, scan, READY, serve;
/// SIGHUP reloads the configuration, SIGTERM stops cleanly. Everything systemd is told
/// (`READY=1`, `STATUS=`, `EXTEND_TIMEOUT_USEC=`, `WATCHDOG=1`, `RELOADING=1`, `STOPPING=1`)
/// is sent from here or from the ingest loop itself; docs/systemd.md describes the protocol.
public enum Daemon {
    /// Runs until SIGTERM/SIGINT. Returns the process exit code.
    /// - Parameters:
    ///   - source: flags and config file, re-read on SIGHUP.
    ///   - configuration: what `source` resolved to at start.
    public static func run(_ configuration: DaemonConfiguration, source: ConfigurationSource, logger initialLogger: Logger) -> Int32 {
        // Each batch's buffers are allocated on the parsing threads and freed on the ingest thread.
        // By default glibc hands an arena's free top back to the kernel once 128 KiB of it is free,
        // and grows it again (mprotect, page faults) for the next batch, and a batch's log buffer
        // (about 1 MB) is a fresh mapping each time: together about 5 % of a burst's CPU. Kept,
        // the memory stays at the burst's own peak.
        inboxd_malloc_keep(64 << 20, 16 << 20, 8 << 20)
        // Signals become readable events on a descriptor: blocked here, before any thread exists,
        // so every thread inherits the mask and only the ingest loop ever sees them.
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let signalFD = signalfd(-1, &signals, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard signalFD >= 0 else {
            initialLogger.critical("signalfd failed: \(String(cString: strerror(errno)))")
            return 1
        }

        var configuration = configuration
        var logger = initialLogger
        let notifier = ServiceNotifier()
        let watchdog = WatchdogPinger(notifier: notifier)
        let board = StatusBoard()
        notifier.status("Loading the store in \(configuration.stateDirectory)/store")

        let store: ArticleStore
        do {
            store = try ArticleStore(directory: configuration.stateDirectory + "/store")
        } catch {
            logger.critical("cannot open the store: \(error)")
            return 1
        }
        let report = store.loadReport
        logger.info("store loaded", metadata: [
            "articles": "\(report.articles)", "seconds": "\(report.seconds)", "repaired": "\(report.repaired.isEmpty ? "nothing" : report.repaired.map(\.description).joined(separator: "; "))",
        ])

        let server: UnixSocketServer
        do {
            server = try serve(configuration, routes: APIRoutes(configuration: configuration, store: store, board: board), logger: logger)
        } catch {
            logger.critical("\(error)")
            return 1
        }
        defer { server.shutdown() }

        let engine: IngestEngine
        do {
            engine = try IngestEngine(configuration: configuration, store: store, board: board, notifier: notifier, logger: logger)
            engine.wedgeAfter = testWedge(logger)
            notifier.status("Scanning \(configuration.inbox)")
            try engine.startWatching()
        } catch {
            logger.critical("\(error)")
            return 1
        }

        // Between batches: watchdog pings from the pipeline itself, signals noticed without
        // waiting for a long burst to end, and start-up progress for systemd.
        var stopSignal: Int32?
        var reloadRequested = false
        var starting = true
        var batchStarted = ContinuousClock.now
        engine.afterBatch = { done, queued in
            watchdog.pingIfDue()
            if starting {
                // A healthy start-up that takes long keeps pushing systemd's start timeout ahead.
                let batch = ContinuousClock.now - batchStarted
                notifier.extendTimeout(by: max(.seconds(10), batch * 4), status: "Starting: \(done)/\(done + queued) files")
                batchStarted = .now
            }
            while let signal = readSignal(signalFD) {
                if signal == SIGHUP { reloadRequested = true } else { stopSignal = signal }
            }
            return stopSignal == nil
        }

        engine.pump()
        starting = false
        if let stopSignal { return stop(signal: stopSignal, engine: engine, board: board, notifier: notifier, logger: logger) }
        board.update { if $0.state == .starting { $0.state = $0.degradedReason == nil ? .ready : .degraded } }
        notifier.ready(status: engine.statusLine())
        logger.info("ready", metadata: ["inbox": "\(configuration.inbox)", "socket": "\(server.path)"])
        watchdog.ping()

        while true {
            if reloadRequested {
                reloadRequested = false
                reload(&configuration, logger: &logger, source: source, engine: engine, board: board, notifier: notifier)
                watchdog.ping()
            }
            var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)]
            if let watchFD = engine.watchDescriptor { fds.append(pollfd(fd: watchFD, events: Int16(POLLIN), revents: 0)) }
            // No timeout unless systemd asked for watchdog pings: an idle daemon never wakes up.
            var timeout = watchdog.pollTimeoutMilliseconds
            if let retry = engine.retryTimeoutMilliseconds { timeout = timeout < 0 ? retry : min(timeout, retry) }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno != EINTR {
                logger.critical("poll failed: \(String(cString: strerror(errno)))")
                return 1
            }
            if fds[0].revents != 0 {
                while let signal = readSignal(signalFD) {
                    if signal == SIGHUP { reloadRequested = true } else { stopSignal = signal }
                }
            }
            if stopSignal == nil, fds.count > 1, fds[1].revents != 0 { engine.pump() }
            if stopSignal == nil { engine.retryIfDue() }
            if let stopSignal { return stop(signal: stopSignal, engine: engine, board: board, notifier: notifier, logger: logger) }
            watchdog.pingIfDue()
        }
    }

    /// The API socket: the one systemd passed (socket activation), else the configured path.
    private static func serve(_ configuration: DaemonConfiguration, routes: APIRoutes, logger: Logger) throws -> UnixSocketServer {
        switch SocketActivation.take(preferredName: "api") {
        case let .socket(passed, ignored):
            if !ignored.isEmpty {
                logger.warning("ignoring extra sockets passed by systemd", metadata: ["names": "\(ignored.joined(separator: ","))"])
            }
            let path = passed.path ?? configuration.socketPath
            if path != configuration.socketPath {
                logger.notice("serving on the socket systemd passed, not the configured one", metadata: [
                    "socket": "\(path)", "configured": "\(configuration.socketPath)",
                ])
            }
            logger.info("using the listening socket passed by systemd", metadata: ["socket": "\(path)", "fd_name": "\(passed.name)"])
            return try UnixSocketServer(listeningDescriptor: passed.descriptor, path: path, router: routes.handle)
        case .unusable(let why):
            logger.warning("socket activation unusable, binding the socket myself", metadata: ["reason": "\(why)"])
        case .none:
            break
        }
        try Dispositions.makeDirectory(parentOf(configuration.socketPath))
        return try UnixSocketServer(path: configuration.socketPath, router: routes.handle)
    }

    /// SIGHUP: re-read the config file with the original flags. Live settings (log level,
    /// max_file_size) apply at once; a new inbox, state or socket waits for a restart; an invalid
    /// file changes nothing. Either way systemd sees `RELOADING=1`, then `READY=1` with the outcome.
    private static func reload(_ configuration: inout DaemonConfiguration, logger: inout Logger, source: ConfigurationSource,
                               engine: IngestEngine, board: StatusBoard, notifier: ServiceNotifier) {
        notifier.reloading(status: "Reloading the configuration from \(source.configPath ?? "flags and defaults")")
        logger.info("reloading the configuration", metadata: ["config": "\(source.configPath ?? "none")"])
        do {
            let plan = ReloadPlan(current: configuration, new: try source.load())
            configuration = plan.applied
            logger.logLevel = Logger.Level(rawValue: configuration.logLevel) ?? .info
            engine.apply(configuration, logger: logger)
            if plan.needsRestart.isEmpty {
                engine.statusNote = nil
            } else {
                let keys = plan.needsRestart.joined(separator: ", ")
                engine.statusNote = "Restart to apply the new \(keys)"
                logger.warning("configuration changes that need a restart were not applied", metadata: ["keys": "\(keys)"])
            }
            logger.notice("configuration reloaded", metadata: [
                "max_file_size": "\(configuration.limits.maxBytes)", "log_level": "\(configuration.logLevel)",
            ])
        } catch {
            engine.statusNote = "Reload failed, previous configuration kept: \(error)"
            board.update { $0.lastError = "configuration reload failed: \(error)" }
            logger.error("configuration reload failed; the previous configuration stays in effect", metadata: ["reason": "\(error)"])
        }
        notifier.ready(status: engine.statusLine())
    }

    /// SIGTERM/SIGINT: the batch in hand is committed already (signals are read between batches);
    /// whatever is still queued stays in the inbox for the next start.
    private static func stop(signal: Int32, engine: IngestEngine, board: StatusBoard, notifier: ServiceNotifier, logger: Logger) -> Int32 {
        board.update { $0.state = .stopping }
        notifier.stopping(status: "Stopping: " + engine.statusLine())
        logger.info("stopping", metadata: ["signal": "\(signal == SIGTERM ? "SIGTERM" : "SIGINT")", "left_in_inbox": "\(engine.pendingCount)"])
        return 0
    }

    /// `INBOXD_TEST_WEDGE_AFTER=N` (tests only, off by default): the watchdog test's switch.
    private static func testWedge(_ logger: Logger) -> Int? {
        guard let value = getenv("INBOXD_TEST_WEDGE_AFTER").map({ String(cString: $0) }), !value.isEmpty else { return nil }
        guard let count = Int(value), count > 0 else {
            logger.warning("INBOXD_TEST_WEDGE_AFTER is not a positive integer; ignored", metadata: ["value": "\(value)"])
            return nil
        }
        logger.warning("TEST SWITCH: the ingest loop will wedge after \(count) files (INBOXD_TEST_WEDGE_AFTER); never set this in production")
        return count
    }

    private static func readSignal(_ fd: Int32) -> Int32? {
        var info = signalfd_siginfo()
        let n = read(fd, &info, MemoryLayout<signalfd_siginfo>.size)
        guard n == MemoryLayout<signalfd_siginfo>.size else { return nil }
        return Int32(info.ssi_signo)
    }

    static func parentOf(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
