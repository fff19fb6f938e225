import CLinux
import Glibc
import InboxServer
import InboxStore
import InboxSystemd
import Logging

/// The daemon's lifecycle: load, bind, watch, scan, READY, serve until SIGTERM, stop cleanly.
public enum Daemon {
    /// Runs until SIGTERM/SIGINT. Returns the process exit code.
    public static func run(_ configuration: DaemonConfiguration, logger: Logger) -> Int32 {
        // Signals become readable events on a descriptor: blocked here, before any thread exists,
        // so every thread inherits the mask and only the ingest loop ever sees them.
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in [SIGTERM, SIGINT, SIGHUP] { sigaddset(&signals, signal) }
        pthread_sigmask(SIG_BLOCK, &signals, nil)
        let signalFD = signalfd(-1, &signals, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard signalFD >= 0 else {
            logger.critical("signalfd failed: \(String(cString: strerror(errno)))")
            return 1
        }

        let notifier = ServiceNotifier()
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
            try Dispositions.makeDirectory(parentOf(configuration.socketPath))
            let routes = APIRoutes(configuration: configuration, store: store, board: board)
            server = try UnixSocketServer(path: configuration.socketPath, router: routes.handle)
        } catch {
            logger.critical("\(error)")
            return 1
        }
        defer { server.shutdown() }

        let engine: IngestEngine
        do {
            engine = try IngestEngine(configuration: configuration, store: store, board: board, notifier: notifier, logger: logger)
            notifier.status("Scanning \(configuration.inbox)")
            try engine.startWatching()
        } catch {
            logger.critical("\(error)")
            return 1
        }
        engine.pump()
        board.update { if $0.state == .starting { $0.state = $0.degradedReason == nil ? .ready : .degraded } }
        notifier.ready(status: engine.statusLine())
        logger.info("ready", metadata: ["inbox": "\(configuration.inbox)", "socket": "\(configuration.socketPath)"])

        let watchdog = notifier.watchdogInterval
        let pingEvery = watchdog.map { $0 / 2 }
        var lastPing = ContinuousClock.now
        if watchdog != nil { notifier.watchdog() }

        while true {
            var fds = [pollfd(fd: signalFD, events: Int16(POLLIN), revents: 0)]
            if let watchFD = engine.watchDescriptor { fds.append(pollfd(fd: watchFD, events: Int16(POLLIN), revents: 0)) }
            // No timeout unless systemd asked for watchdog pings: an idle daemon never wakes up.
            var timeout: Int32 = -1
            if let pingEvery {
                let left = pingEvery - (ContinuousClock.now - lastPing)
                timeout = max(0, Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
            }
            let ready = poll(&fds, nfds_t(fds.count), timeout)
            if ready < 0 && errno != EINTR {
                logger.critical("poll failed: \(String(cString: strerror(errno)))")
                return 1
            }
            if fds[0].revents != 0, let signal = readSignal(signalFD) {
                if signal == SIGHUP {
                    logger.notice("SIGHUP received; configuration reload is not supported yet, restart to apply changes")
                } else {
                    board.update { $0.state = .stopping }
                    notifier.stopping(status: "Stopping: " + engine.statusLine())
                    logger.info("stopping", metadata: ["signal": "\(signal == SIGTERM ? "SIGTERM" : "SIGINT")"])
                    return 0
                }
            }
            if fds.count > 1, fds[1].revents != 0 { engine.pump() }
            if let pingEvery, ContinuousClock.now - lastPing >= pingEvery {
                notifier.watchdog()
                lastPing = .now
            }
        }
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
