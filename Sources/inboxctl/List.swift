import ArgumentParser
import Foundation
import InboxAPI

struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List stored articles, oldest first.",
        discussion: "With --json, prints one JSON array of every article (the API's pages joined)."
    )

    @OptionGroup var options: GlobalOptions

    @Option(help: "Only articles published on or after this date (YYYY-MM-DD or ISO 8601).")
    var since: String?

    @Option(help: "Only articles published on or before this date.")
    var until: String?

    @Option(help: "Only articles from this outlet (e.g. \"VOA Tiếng Việt\", case-insensitive).")
    var source: String?

    @Option(help: "Only articles in this language (vi, en, und).")
    var language: String?

    func run() throws {
        var articles: [[String: Any]] = []
        var cursor: String?
        var filters = ""
        for (key, value) in [("since", since), ("until", until), ("source", source), ("language", language)] {
            if let value { filters += "&\(key)=\(escape(value))" }
        }
        repeat {
            let path = "/v1/articles?limit=1000" + filters + (cursor.map { "&cursor=\($0)" } ?? "")
            let result = try options.get(path)
            guard let page = try JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any],
                  let items = page["articles"] as? [[String: Any]] else {
                throw CommandFailure(code: 1, message: "unexpected answer from the daemon for \(path)")
            }
            articles += items
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        let filtered = !filters.isEmpty
        if options.json {
            defer { if filtered && articles.isEmpty { Foundation.exit(ExitStatus.notFound) } }
            let data = try JSONSerialization.data(withJSONObject: articles, options: [.sortedKeys, .withoutEscapingSlashes])
            return printOut(String(decoding: data, as: UTF8.self))
        }
        if articles.isEmpty {
            printOut(filtered ? "No articles match." : "No articles.")
            if filtered { throw ExitCode(ExitStatus.notFound) }
            return
        }
        var rows = [["ID", "PUBLISHED", "SOURCE", "DUPS", "TITLE"]]
        for article in articles {
            rows.append([
                article["id"] as? String ?? "?",
                Format.localDate(article["published"] as? String),
                Format.truncate(article["source"] as? String ?? "-", 18),
                String((article["duplicates"] as? [Any])?.count ?? 0),
                Format.truncate(article["title"] as? String ?? "-", 70),
            ])
        }
        printOut(Format.table(rows) + "\n" + Format.count(articles.count, "article"))
    }
}
