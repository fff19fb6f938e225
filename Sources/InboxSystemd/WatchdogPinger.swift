/// `WATCHDOG=1` at half the interval systemd asked for (`WatchdogSec=`), sent by the thread that
/// does the work, so a wedged ingest loop stops pinging and systemd restarts the service.
///
/// Not `Sendable` on purpose: it belongs to the ingest thread, and pinging from any other thread
/// would keep a wedged pipeline alive.
public final class WatchdogPinger {
    private let notifier: ServiceNotifier
    /// Half of `WATCHDOG_USEC`, or nil when systemd enabled no watchdog for this process.
    public let interval: Duration?
    private var lastPing = ContinuousClock.now

    public init(notifier: ServiceNotifier) {
        self.notifier = notifier
        interval = notifier.watchdogInterval.map { $0 / 2 }
    }

    /// Pings now (start of the loop, end of a reload).
    public func ping() {
        guard interval != nil else { return }
        notifier.watchdog()
        lastPing = .now
    }

    /// Pings if half the watchdog interval has passed since the last ping.
    public func pingIfDue() {
        guard let interval, ContinuousClock.now - lastPing >= interval else { return }
        ping()
    }

    /// How long `poll` may sleep before the next ping is due: -1 (forever) without a watchdog.
    public var pollTimeoutMilliseconds: Int32 {
        guard let interval else { return -1 }
        let left = interval - (ContinuousClock.now - lastPing)
        let ms = left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(0, ms))
    }
}
