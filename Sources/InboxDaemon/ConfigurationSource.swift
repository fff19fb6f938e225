import Glibc
import InboxAPI

/// Where the configuration comes from: the command-line flags, the `--config` file and the
/// default folders. Kept for the daemon's whole life so SIGHUP re-reads the same file and
/// re-applies the same flags (flags still win over the file).
public struct ConfigurationSource: Sendable {
    public var flags: DaemonConfiguration.Flags
    /// Absolute path of the `--config` file, if one was given.
    public var configPath: String?
    public var defaults: DefaultPaths

    public init(flags: DaemonConfiguration.Flags, configPath: String?, defaults: DefaultPaths) {
        self.flags = flags
        self.configPath = configPath
        self.defaults = defaults
    }

    /// Reads the config file (again) and resolves it with the flags and defaults.
    /// - Throws: `ConfigurationError` when the file cannot be read or a value is invalid.
    public func load() throws(ConfigurationError) -> DaemonConfiguration {
        let text = try configPath.map { (path) throws(ConfigurationError) in try Self.read(path) }
        return try DaemonConfiguration.resolve(flags: flags, configText: text, configPath: configPath, defaults: defaults)
    }

    static func read(_ path: String) throws(ConfigurationError) -> String {
        guard let file = fopen(path, "r") else {
            throw ConfigurationError("cannot read config file \(path): \(String(cString: strerror(errno)))")
        }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = fread(&buffer, 1, buffer.count, file)
            if n <= 0 { break }
            bytes.append(contentsOf: buffer[0..<n])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// What a reload changes: live settings are applied, location changes wait for a restart.
struct ReloadPlan: Equatable {
    /// The configuration to run with from now on.
    var applied: DaemonConfiguration
    /// Keys whose new value needs a restart (`inbox`, `state`, `socket`); their old values stay.
    var needsRestart: [String]

    init(current: DaemonConfiguration, new: DaemonConfiguration) {
        var applied = current
        applied.limits = new.limits
        applied.logLevel = new.logLevel
        self.applied = applied
        needsRestart = [
            ("inbox", current.inbox != new.inbox), ("state", current.stateDirectory != new.stateDirectory),
            ("socket", current.socketPath != new.socketPath),
        ].filter(\.1).map(\.0)
    }
}
