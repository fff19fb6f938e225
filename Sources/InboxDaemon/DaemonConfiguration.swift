import InboxAPI
import InboxCore

/// A configuration problem: one line for stderr, then exit code 2.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Where the daemon works and how: merged from defaults, the config file, then flags.
public struct DaemonConfiguration: Sendable, Equatable {
    public var inbox: String
    public var stateDirectory: String
    public var socketPath: String
    public var limits: IngestLimits
    public var logLevel: String

    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Defaults (systemd or XDG folders), overridden by `configText` (a `key = value` file),
    /// overridden by the explicit flags.
    /// - Throws: `ConfigurationError` naming the bad line or value.
    public static func resolve(
        flags: Flags, configText: String?, configPath: String?, defaults: DefaultPaths
    ) throws(ConfigurationError) -> DaemonConfiguration {
        let file = try configText.map { (text) throws(ConfigurationError) in try ConfigFile.parse(text, path: configPath ?? "config") } ?? [:]
        let state = flags.state ?? file["state"] ?? defaults.stateDirectory
        let inbox = flags.inbox ?? file["inbox"] ?? state + "/inbox"
        let socket = flags.socket ?? file["socket"] ?? defaults.socketPath
        var limits = IngestLimits.default
        if let size = file["max_file_size"] {
            guard let bytes = ConfigFile.byteSize(size), bytes > 0 else {
                throw ConfigurationError("\(configPath ?? "config"): max_file_size = \(size) is not a size (use e.g. 10485760, 512K, 10M, 1G)")
            }
            limits.maxBytes = bytes
        }
        let level = file["log_level"] ?? "info"
        guard logLevels.contains(level) else {
            throw ConfigurationError("\(configPath ?? "config"): log_level = \(level) is not one of \(logLevels.joined(separator: ", "))")
        }
        for (name, path) in [("inbox", inbox), ("state", state), ("socket", socket)] where !path.hasPrefix("/") {
            throw ConfigurationError("\(name) must be an absolute path, got \(path)")
        }
        return DaemonConfiguration(inbox: inbox, stateDirectory: state, socketPath: socket, limits: limits, logLevel: level)
    }

    /// Command-line values; nil means "not given".
    public struct Flags: Sendable, Equatable {
        public var inbox: String?
        public var state: String?
        public var socket: String?
        public init(inbox: String? = nil, state: String? = nil, socket: String? = nil) {
            self.inbox = inbox
            self.state = state
            self.socket = socket
        }
    }
}

/// The configuration file: `key = value` lines, `#` comments, blank lines ignored.
enum ConfigFile {
    static let keys: Set<String> = ["inbox", "state", "socket", "max_file_size", "log_level"]

    static func parse(_ text: String, path: String) throws(ConfigurationError) -> [String: String] {
        var values: [String: String] = [:]
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingSpaces()
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let eq = line.firstIndex(of: "=") else {
                throw ConfigurationError("\(path):\(number + 1): expected `key = value`, got `\(line)`")
            }
            let key = line[..<eq].trimmingSpaces()
            var value = line[line.index(after: eq)...].trimmingSpaces()
            if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") { value = String(value.dropFirst().dropLast()) }
            guard keys.contains(key) else {
                throw ConfigurationError("\(path):\(number + 1): unknown key `\(key)` (known: \(keys.sorted().joined(separator: ", ")))")
            }
            values[key] = value
        }
        return values
    }

    /// `1048576`, `512K`, `10M`, `10MiB`, `1G` (binary units).
    static func byteSize(_ text: String) -> Int? {
        var digits = text
        var multiplier = 1
        for (suffix, factor) in [("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30), ("K", 1 << 10), ("M", 1 << 20), ("G", 1 << 30)]
        where digits.hasSuffix(suffix) {
            digits = String(digits.dropLast(suffix.count))
            multiplier = factor
            break
        }
        guard let value = Int(digits.trimmingSpaces()), value >= 0 else { return nil }
        let (product, overflow) = value.multipliedReportingOverflow(by: multiplier)
        return overflow ? nil : product
    }
}

extension StringProtocol {
    func trimmingSpaces() -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" }) else { return "" }
        let last = scalars.lastIndex(where: { $0 != " " && $0 != "\t" && $0 != "\r" })!
        return String(String.UnicodeScalarView(scalars[first...last]))
    }
}
