import Glibc
import Logging

/// swift-log handler writing one line per event to stderr.
///
/// When stderr is connected to the journal (`JOURNAL_STREAM` names stderr's device and inode),
/// lines get a `<N>` syslog priority prefix so journald keeps the levels; otherwise a level word.
public struct StderrLogHandler: LogHandler {
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    private let label: String
    private let journalPrefixes: Bool

    public init(label: String, level: Logger.Level = .info, journalPrefixes: Bool = StderrLogHandler.stderrIsJournal()) {
        self.label = label
        self.logLevel = level
        self.journalPrefixes = journalPrefixes
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var line = journalPrefixes ? "<\(Self.syslogPriority(event.level))>" : "\(event.level.rawValue.uppercased()) "
        line += String(describing: event.message).replacingNewlines()
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        for key in merged.keys.sorted() {
            line += " \(key)=\(Self.quoted(String(describing: merged[key]!)))"
        }
        line += "\n"
        line.withCString { ptr in _ = write(2, ptr, strlen(ptr)) }
    }

    /// syslog(3) priorities, the numbers journald reads from `<N>`.
    public static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    /// `JOURNAL_STREAM=dev:ino` matches stderr's own device and inode (see systemd.exec(5)).
    public static func stderrIsJournal() -> Bool {
        guard let value = getenv("JOURNAL_STREAM") else { return false }
        let parts = String(cString: value).split(separator: ":")
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return false }
        var st = stat()
        guard fstat(2, &st) == 0 else { return false }
        return UInt64(st.st_dev) == dev && UInt64(st.st_ino) == ino
    }

    static func quoted(_ value: String) -> String {
        let plain = !value.isEmpty && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "=" }
        if plain { return value }
        return "\"" + value.replacingNewlines().replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }
}

extension String {
    func replacingNewlines() -> String {
        guard contains(where: { $0 == "\n" || $0 == "\r" }) else { return self }
        return String(map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }

    func replacingOccurrences(of target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        return split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
