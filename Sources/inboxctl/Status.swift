import ArgumentParser
import Foundation
import InboxAPI

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show the daemon's state and counts.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let result = try options.get("/v1/status")
        if options.json { return printOut(result.bodyText) }
        let status = try JSONDecoder().decode(StatusResponse.self, from: Data(result.body))
        let rows: [(String, String)] = [
            ("state", Style.state(status.state)),
            ("inbox", status.inbox),
            ("state dir", status.stateDir),
            ("articles", String(status.articles)),
            ("duplicates", String(status.duplicates)),
            ("rejected", String(status.rejected)),
            ("pending", String(status.pending)),
            ("overflows", "\(status.overflows) (\(status.rescans) rescans)"),
            ("uptime", Format.duration(status.uptimeSeconds)),
            ("last error", status.lastError ?? "-"),
        ]
        printOut("inboxd \(status.version)\n" + Format.keyValues(rows))
    }
}
