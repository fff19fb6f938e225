import ArgumentParser
import Foundation
import InboxAPI

/// Exit codes scripts can rely on (documented in inboxctl(1) and the README).
enum ExitStatus {
    static let notFound: Int32 = 1
    static let usage: Int32 = 2
    static let unreachable: Int32 = 3
}

@main
struct InboxCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inboxctl",
        abstract: "Ask the inboxd daemon what it has ingested.",
        discussion: """
            Examples:
              inboxctl status
              inboxctl add ~/Downloads/*.txt
              inboxctl list --source "VOA Tiếng Việt" --since 2024-03-01
              inboxctl list --json | jq -r '.[].title'
              inboxctl search 'bo truong "thanh son"'
              inboxctl show 2c7f26bfe47dfcff
              inboxctl follow
              inboxctl rejected && inboxctl retry broken.txt

            The socket is found like the daemon finds it: --socket, $INBOXD_SOCKET, \
            $RUNTIME_DIRECTORY/inboxd.sock, $XDG_RUNTIME_DIR/inboxd.sock, /run/inboxd/inboxd.sock (root).
            Exit codes: 0 ok, 1 not found, 2 usage, 3 daemon unreachable.
            """,
        version: "0.1.0",
        subcommands: [Status.self, List.self, Show.self, Search.self, Duplicates.self, Rejected.self,
                      Retry.self, Add.self, Follow.self, Reload.self]
    )

    // Declared here too so `inboxctl --socket PATH status` works as well as `inboxctl status --socket PATH`.
    @OptionGroup var options: GlobalOptions

    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let error as ClientError {
            FileHandle.standardError.write(Data("inboxctl: \(error)\n".utf8))
            Foundation.exit(ExitStatus.unreachable)
        } catch let error as CommandFailure {
            FileHandle.standardError.write(Data("inboxctl: \(error.message)\n".utf8))
            Foundation.exit(error.code)
        } catch {
            let code = exitCode(for: error)
            if code == .success || code == .validationFailure || code.rawValue == 64 {
                if code == .success { exit(withError: error) }
                FileHandle.standardError.write(Data("inboxctl: \(message(for: error))\n".utf8))
                FileHandle.standardError.write(Data("Run 'inboxctl --help' for usage.\n".utf8))
                Foundation.exit(ExitStatus.usage)
            }
            exit(withError: error)
        }
    }
}

struct CommandFailure: Error {
    let code: Int32
    let message: String
}

struct GlobalOptions: ParsableArguments {
    @Option(help: "The daemon's socket (default: $INBOXD_SOCKET or the daemon's default path).")
    var socket: String?

    @Flag(help: "Print the API's JSON unchanged.")
    var json = false

    var client: UnixHTTPClient {
        UnixHTTPClient(socketPath: socket ?? DefaultPaths.current().clientSocketPath)
    }

    /// GET `path`, failing with the API's own error message on a non-2xx answer.
    func get(_ path: String) throws -> HTTPResult { try call("GET", path) }

    /// POST `path` (no body), same error handling as `get`.
    func post(_ path: String) throws -> HTTPResult { try call("POST", path) }

    private func call(_ method: String, _ path: String) throws -> HTTPResult {
        let result = try client.request(method, path)
        guard (200..<300).contains(result.status) else {
            let message = (try? JSONDecoder().decode(ErrorResponse.self, from: Data(result.body)))?.error.message ?? result.bodyText
            throw CommandFailure(code: result.status == 404 ? ExitStatus.notFound : 1, message: message)
        }
        return result
    }
}

/// Percent-encodes one path segment or query value.
func escape(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
}

func printOut(_ text: String) {
    FileHandle.standardOutput.write(Data((text.hasSuffix("\n") ? text : text + "\n").utf8))
}
