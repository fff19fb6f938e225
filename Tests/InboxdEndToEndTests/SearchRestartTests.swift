import Foundation
import Glibc
import InboxAPI
import Testing

/// After a restart the search index is rebuilt from the store, pages read on one thread and
/// indexed on another: every stored article must end up indexed once, and an article taken
/// while the rebuild runs once too.
@Suite
struct SearchRestartTests {
    static let newArticle = """
        Hội thảo về zyxwvut tại Hà Nội

        Hà Nội, ngày 27/11/2026 — Các chuyên gia đã thảo luận về zyxwvut trong buổi hội thảo sáng nay.

        Nội dung chi tiết của hội thảo sẽ được công bố trong tuần tới.

        """

    func search(_ daemon: RunningDaemon, _ query: String) throws -> SearchResponse {
        let escaped = query.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? query
        let result = try daemon.client.request("GET", "/v1/search?q=\(escaped)&limit=5")
        return try JSONDecoder().decode(SearchResponse.self, from: Data(result.body))
    }

    @Test func restartIndexesEveryStoredArticleAndOneTakenMeanwhileOnce() throws {
        // More articles than the four pages of 256 the reading thread may hold ahead of the indexer.
        let corpus = try Corpus(articles: 1500)
        let daemon = try RunningDaemon()
        try corpus.dropBurst(into: daemon)
        let stored = try daemon.status().articles
        #expect(stored == corpus.expectedDistinct)
        #expect(stored > 4 * 256)
        #expect(try daemon.stop() == 0)

        try Self.newArticle.write(toFile: daemon.inbox + "/new-article.txt", atomically: false, encoding: .utf8)
        try daemon.start()
        try waitUntil("index rebuilt", timeout: .seconds(120)) {
            (try? search(daemon, "zyxwvut"))?.indexed == stored + 1
        }
        #expect(try daemon.status().articles == stored + 1)
        let found = try search(daemon, "zyxwvut")
        #expect(found.total == 1)
        #expect(found.results.first?.snippet.contains("«zyxwvut»") == true)
        // Every title is findable: a few from the start, middle and end of the store.
        let titles = corpus.entries.values.compactMap { $0["title"] as? String }.sorted()
        for title in [titles.first, titles[titles.count / 2], titles.last].compactMap({ $0 }) {
            #expect(try search(daemon, "\"\(title)\"").total >= 1, "\(title)")
        }
        #expect(try search(daemon, "zyxwvut").indexed == stored + 1, "no article indexed twice")
        #expect(try daemon.stop() == 0)
    }
}
