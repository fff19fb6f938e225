import ArgumentParser
import Foundation
import InboxAPI

struct Search: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Search titles, bodies, authors and outlets (accents and case do not matter).",
        discussion: """
            All words must match; "quoted words" match as a phrase. Exit code 1 when nothing matched.
              inboxctl search bo truong
              inboxctl search '"dang hoang giang"'
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(parsing: .remaining, help: "The query words.")
    var words: [String]

    @Option(help: "At most this many results (1-100).")
    var limit = 20

    func validate() throws {
        guard !words.joined().trimmingCharacters(in: .whitespaces).isEmpty else { throw ValidationError("give a query, e.g. inboxctl search bo truong") }
        guard (1...100).contains(limit) else { throw ValidationError("--limit must be from 1 to 100") }
    }

    func run() throws {
        let query = words.joined(separator: " ")
        let result = try options.get("/v1/search?q=\(escape(query))&limit=\(limit)")
        let object = try JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any] ?? [:]
        let hits = object["results"] as? [[String: Any]] ?? []
        if options.json {
            printOut(result.bodyText)
        } else if hits.isEmpty {
            printOut("No articles match \(query).")
        } else {
            var text = ""
            for hit in hits {
                let id = hit["id"] as? String ?? "?"
                let title = hit["title"] as? String ?? "-"
                text += Style.bold(id) + "  " + title + "\n"
                if let snippet = hit["snippet"] as? String { text += "    " + Style.dim(snippet) + "\n" }
            }
            text += "\(hits.count) of \(object["total"] as? Int ?? hits.count) matches"
            printOut(text)
        }
        if hits.isEmpty { throw ExitCode(ExitStatus.notFound) }
    }
}
