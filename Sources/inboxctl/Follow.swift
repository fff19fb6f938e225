import ArgumentParser
import Foundation
import InboxAPI

struct Follow: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print what happens to each file as it happens (like journalctl -f).",
        discussion: "With --json, prints the API's newline-delimited JSON events unchanged."
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        try options.client.streamLines("/v1/events") { line in
            guard !options.json else {
                printOut(line)
                return true
            }
            guard let event = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return true }
            let when = Format.localDate(event["at"] as? String)
            let file = event["file"] as? String ?? "?"
            switch event["event"] as? String {
            case "ingested":
                printOut("\(when)  \(Style.paint("ingested ", "32")) \(file) → \(event["article_id"] as? String ?? "?")  \(event["title"] as? String ?? "")")
            case "duplicate":
                printOut("\(when)  \(Style.paint("duplicate", "33")) \(file) = \(event["article_id"] as? String ?? "?") (\(event["kind"] as? String ?? "?"))")
            case "rejected":
                printOut("\(when)  \(Style.paint("rejected ", "31")) \(file): \(event["reason"] as? String ?? "?"): \(event["message"] as? String ?? "")")
            default:
                printOut(line)
            }
            return true
        }
    }
}
