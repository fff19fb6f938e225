import ArgumentParser
import Glibc
import InboxAPI
import InboxDaemon
import InboxSystemd
import Logging

/// `inboxd`: watch an inbox folder, turn every file dropped in into a stored, deduplicated article.
struct InboxdCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inboxd",
        abstract: "Watch an inbox folder and ingest every article dropped into it.",
        discussion: """
            Defaults: under systemd the state folder is $STATE_DIRECTORY and the socket \
            $RUNTIME_DIRECTORY/inboxd.sock; otherwise $XDG_STATE_HOME/inboxd and \
            $XDG_RUNTIME_DIR/inboxd.sock. The inbox defaults to <state>/inbox.
            Config file: `key = value` lines (inbox, state, socket, max_file_size, log_level); flags win.
            SIGHUP re-reads it: log_level and max_file_size apply at once, a new inbox, state or \
            socket needs a restart, an invalid file keeps the running configuration.
            Under systemd: READY/STATUS/WATCHDOG/RELOADING/STOPPING notifications, socket \
            activation (the socket named `api`), structured journal fields (see inboxd(8)).
            """,
        version: InboxdVersion.current
    )

    @Option(help: "The folder to watch (default: <state>/inbox).")
    var inbox: String?

    @Option(help: "The state folder: store, archive, duplicates, rejected.")
    var state: String?

    @Option(help: "The Unix socket of the local API.")
    var socket: String?

    @Option(help: "A configuration file (key = value lines).")
    var config: String?
}

/// One line on stderr (fd 2 directly: the C `stderr` global is not concurrency-safe in Swift 6).
func printError(_ line: String) {
    let text = line + "\n"
    text.withCString { _ = write(2, $0, strlen($0)) }
}

func absolute(_ path: String?) -> String? {
    guard let path, !path.hasPrefix("/") else { return path }
    var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    guard getcwd(&buffer, buffer.count) != nil else { return path }
    let cwd = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return cwd + "/" + path
}

let command: InboxdCommand
do {
    command = try InboxdCommand.parse(Array(CommandLine.arguments.dropFirst()))
} catch {
    let code = InboxdCommand.exitCode(for: error)
    if code == .success {
        InboxdCommand.exit(withError: error)  // --help / --version print and exit 0
    }
    let message = InboxdCommand.message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid arguments"
    printError("inboxd: \(message) (see inboxd --help)")
    exit(2)
}

// Kept for the daemon's life: SIGHUP re-reads the same file and re-applies the same flags.
let source = ConfigurationSource(
    flags: .init(inbox: absolute(command.inbox), state: absolute(command.state), socket: absolute(command.socket)),
    configPath: absolute(command.config), defaults: DefaultPaths.current())
let configuration: DaemonConfiguration
do {
    configuration = try source.load()
} catch {
    printError("inboxd: \(error)")
    exit(2)
}

let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
LoggingSystem.bootstrap { label in StderrLogHandler(label: label, level: level) }
exit(Daemon.run(configuration, source: source, logger: Logger(label: "inboxd")))
