import Glibc
import Logging

/// swift-log handler: one line per event on stderr, or a structured journal entry.
///
/// When stderr is connected to the journal (`JOURNAL_STREAM` names stderr's device and inode),
/// entries go through `sd_journal_sendv` with metadata as fields (`SOURCE_FILE=`, `ARTICLE_ID=`,
/// ...); if that fails, lines get a `<N>` syslog priority prefix so journald still keeps the
/// levels. Otherwise (a terminal, a file) lines start with the level word.
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
        let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
        if journalPrefixes {
            let fields = merged.keys.sorted().map { ($0, String(describing: merged[$0]!)) }
            if JournalFields.send(message: String(describing: event.message), priority: Self.syslogPriority(event.level), fields: fields) {
                return
            }
        }
        var line = journalPrefixes ? "<\(Self.syslogPriority(event.level))>" : "\(event.level.rawValue.uppercased()) "
        line += String(describing: event.message).replacingNewlines()
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
        return "\"" + value.replacingNewlines().escapingQuotes() + "\""
    }
}

extension String {
    func replacingNewlines() -> String {
        guard contains(where: { $0 == "\n" || $0 == "\r" }) else { return self }
        return String(map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }

    func escapingQuotes() -> String {
        guard contains("\"") else { return self }
        return split(separator: "\"", omittingEmptySubsequences: false).joined(separator: "\\\"")
    }
}
