import ArgumentParser
import Foundation
import InboxAPI

struct Rejected: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List rejected files and why they were rejected.")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let result = try options.get("/v1/rejected")
        if options.json { return printOut(result.bodyText) }
        let object = try JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any] ?? [:]
        let items = object["rejected"] as? [[String: Any]] ?? []
        if items.isEmpty { return printOut("No rejected files.") }
        var rows = [["NAME", "REASON", "WHEN", "MESSAGE"]]
        for item in items {
            rows.append([
                Format.truncate(item["name"] as? String ?? "?", 40), item["code"] as? String ?? "?",
                Format.localDate(item["at"] as? String), item["message"] as? String ?? "",
            ])
        }
        printOut(Format.table(rows) + "\n\(items.count) rejected; `inboxctl retry NAME` puts one back in the inbox")
    }
}

struct Retry: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Move a rejected file back into the inbox to be taken again.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The rejected file's name (see `inboxctl rejected`).")
    var name: String

    func run() throws {
        let result = try options.post("/v1/rejected/\(escape(name))/retry")
        printOut(options.json ? result.bodyText : "Moved \(name) back into the inbox.")
    }
}

struct Reload: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Re-read the daemon's configuration (like systemctl reload inboxd).")

    @OptionGroup var options: GlobalOptions

    func run() throws {
        let result = try options.post("/v1/reload")
        printOut(options.json ? result.bodyText : "Reload requested; `inboxctl status` shows the outcome.")
    }
}
