import ArgumentParser
import Foundation
import InboxAPI

struct Duplicates: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List articles that arrived more than once, with each duplicate file.",
        discussion: "With --json, prints one JSON array of every such article (the API's pages joined)."
    )

    @OptionGroup var options: GlobalOptions

    func run() throws {
        var articles: [[String: Any]] = []
        var cursor: String?
        repeat {
            let result = try options.get("/v1/duplicates?limit=1000" + (cursor.map { "&cursor=\($0)" } ?? ""))
            let page = try JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any] ?? [:]
            articles += page["duplicates"] as? [[String: Any]] ?? []
            cursor = page["next_cursor"] as? String
        } while cursor != nil
        if options.json {
            let data = try JSONSerialization.data(withJSONObject: articles, options: [.sortedKeys, .withoutEscapingSlashes])
            return printOut(String(decoding: data, as: UTF8.self))
        }
        if articles.isEmpty { return printOut("No duplicates.") }
        var text = ""
        var sightings = 0
        for article in articles {
            text += Style.bold(article["id"] as? String ?? "?") + "  " + Format.truncate(article["title"] as? String ?? "-", 70) + "\n"
            text += "    original  " + (article["source_file"] as? String ?? "?") + "\n"
            for duplicate in article["duplicates"] as? [[String: Any]] ?? [] {
                sightings += 1
                let kind = (duplicate["kind"] as? String ?? "?").padding(toLength: 10, withPad: " ", startingAt: 0)
                text += "    \(kind)\(duplicate["file"] as? String ?? "?")  \(Style.dim(Format.localDate(duplicate["at"] as? String)))\n"
            }
        }
        printOut(text + Format.count(articles.count, "article") + ", " + Format.count(sightings, "duplicate file"))
    }
}
