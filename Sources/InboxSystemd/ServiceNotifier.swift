import CSystemd
import Glibc

/// Tells the service manager about the daemon's lifecycle through `sd_notify` (libsystemd).
///
/// Without `NOTIFY_SOCKET` every call is a harmless no-op, so the daemon runs the same by hand.
public struct ServiceNotifier: Sendable {
    public init() {}

    /// True when a service manager listens (`NOTIFY_SOCKET` is set).
    public var isSupervised: Bool { getenv("NOTIFY_SOCKET") != nil }

    /// Start-up finished: store loaded, socket bound, watch set, inbox scanned.
    public func ready(status: String) { send("READY=1\nSTATUS=\(Self.oneLine(status))") }

    /// A one-line human summary shown by `systemctl status`.
    public func status(_ text: String) { send("STATUS=\(Self.oneLine(text))") }

    /// The daemon has begun an orderly shutdown.
    public func stopping(status: String) { send("STOPPING=1\nSTATUS=\(Self.oneLine(status))") }

    /// Keep-alive for `WatchdogSec=`.
    public func watchdog() { send("WATCHDOG=1") }

    /// A long start-up is still making progress: systemd pushes its start timeout to at least
    /// `duration` from now (`EXTEND_TIMEOUT_USEC=`), so a healthy start is not killed.
    public func extendTimeout(by duration: Duration, status: String) {
        send("EXTEND_TIMEOUT_USEC=\(Self.microseconds(duration))\nSTATUS=\(Self.oneLine(status))")
    }

    /// A configuration reload began (`RELOADING=1` with the `CLOCK_MONOTONIC` time it started).
    /// Follow it with `ready(status:)` once the reload is done, whether it succeeded or not.
    public func reloading(status: String) {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let usec = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1000
        send("RELOADING=1\nMONOTONIC_USEC=\(usec)\nSTATUS=\(Self.oneLine(status))")
    }

    /// The watchdog interval systemd expects, if it enabled one for this process.
    public var watchdogInterval: Duration? {
        var usec: UInt64 = 0
        guard sd_watchdog_enabled(0, &usec) > 0, usec > 0 else { return nil }
        return .microseconds(Int64(usec))
    }

    private func send(_ state: String) {
        _ = sd_notify(0, state)
    }

    static func microseconds(_ duration: Duration) -> Int64 {
        let parts = duration.components
        return max(0, parts.seconds * 1_000_000 + parts.attoseconds / 1_000_000_000_000)
    }

    static func oneLine(_ text: String) -> String {
        String(text.map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
