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
        let response = try JSONDecoder().decode(SearchResponse.self, from: Data(result.body))
        let hits = response.results
        if options.json {
            printOut(result.bodyText)
        } else if hits.isEmpty {
            printOut("No articles match \(query).")
        } else {
            var text = ""
            for hit in hits {
                text += Style.bold(hit.id) + "  " + (hit.title ?? "-") + "\n"
                if !hit.snippet.isEmpty { text += "    " + Style.dim(hit.snippet) + "\n" }
            }
            text += "\(hits.count) of \(response.total) matches"
            printOut(text)
        }
        if hits.isEmpty { throw ExitCode(ExitStatus.notFound) }
    }
}
