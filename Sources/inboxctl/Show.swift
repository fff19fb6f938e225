import ArgumentParser
import Foundation
import InboxAPI

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show one article, body included.")

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The article id (from `inboxctl list`).")
    var id: String

    func run() throws {
        let result = try options.get("/v1/articles/\(escape(id))")
        if options.json { return printOut(result.bodyText) }
        guard let article = try JSONSerialization.jsonObject(with: Data(result.body)) as? [String: Any] else {
            throw CommandFailure(code: 1, message: "unexpected answer from the daemon")
        }
        var rows: [(String, String)] = []
        let title = article["title"] as? String ?? "-"
        rows.append(("title", title + ((article["title_derived"] as? Bool) == true ? " (derived)" : "")))
        for (label, key) in [("id", "id"), ("author", "author"), ("source", "source"), ("url", "url"),
                             ("language", "language"), ("file", "source_file"), ("hash", "content_hash")] {
            rows.append((label, article[key] as? String ?? "-"))
        }
        rows.append(("published", Format.localDate(article["published"] as? String)))
        rows.append(("ingested", Format.localDate(article["ingested_at"] as? String)))
        rows.append(("words", String(article["word_count"] as? Int ?? 0)))
        let duplicates = article["duplicates"] as? [[String: Any]] ?? []
        rows.append(("duplicates", duplicates.isEmpty ? "none" : duplicates.map {
            "\($0["file"] as? String ?? "?") (\($0["kind"] as? String ?? "?"))"
        }.joined(separator: ", ")))
        var text = Format.keyValues(rows)
        for caption in article["captions"] as? [String] ?? [] { text += "\n[caption] " + caption }
        text += "\n\n" + ((article["body"] as? [String]) ?? []).joined(separator: "\n\n")
        printOut(text)
    }
}
