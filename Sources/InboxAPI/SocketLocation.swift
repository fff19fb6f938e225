import Glibc

/// Where the daemon's state and socket live when no flag says otherwise.
///
/// One implementation for the daemon and the CLI, so `inboxctl` finds the socket the daemon bound.
/// Under systemd the manager's `STATE_DIRECTORY`/`RUNTIME_DIRECTORY` win; otherwise XDG folders.
public struct DefaultPaths: Sendable {
    public var environment: [String: String]

    public init(environment: [String: String]) { self.environment = environment }

    /// The current process environment.
    public static func current() -> DefaultPaths {
        var env: [String: String] = [:]
        var pointer = environ
        while let entry = pointer.pointee {
            let pair = String(cString: entry)
            if let eq = pair.firstIndex(of: "=") { env[String(pair[..<eq])] = String(pair[pair.index(after: eq)...]) }
            pointer += 1
        }
        return DefaultPaths(environment: env)
    }

    /// `$STATE_DIRECTORY` (first entry) under systemd, else `$XDG_STATE_HOME/inboxd`,
    /// else `~/.local/state/inboxd`.
    public var stateDirectory: String {
        if let dirs = nonEmpty("STATE_DIRECTORY"), let first = dirs.split(separator: ":").first { return String(first) }
        if let xdg = nonEmpty("XDG_STATE_HOME") { return xdg + "/inboxd" }
        return (nonEmpty("HOME") ?? "/root") + "/.local/state/inboxd"
    }

    /// `$RUNTIME_DIRECTORY/inboxd.sock` under systemd, else `$XDG_RUNTIME_DIR/inboxd.sock`,
    /// else `/run/inboxd/inboxd.sock` for root and `<state>/inboxd.sock` for anyone else.
    public var socketPath: String {
        if let dirs = nonEmpty("RUNTIME_DIRECTORY"), let first = dirs.split(separator: ":").first {
            return String(first) + "/inboxd.sock"
        }
        if let xdg = nonEmpty("XDG_RUNTIME_DIR") { return xdg + "/inboxd.sock" }
        if getuid() == 0 { return "/run/inboxd/inboxd.sock" }
        return stateDirectory + "/inboxd.sock"
    }

    /// What the CLI uses: `INBOXD_SOCKET` first, then the daemon's default.
    public var clientSocketPath: String { nonEmpty("INBOXD_SOCKET") ?? socketPath }

    private func nonEmpty(_ key: String) -> String? {
        guard let value = environment[key], !value.isEmpty else { return nil }
        return value
    }
}
