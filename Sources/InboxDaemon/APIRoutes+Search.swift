import InboxAPI
import InboxSearch
import InboxServer
import InboxStore

/// `GET /v1/search?q=`: the in-memory index ranks, the store supplies text for phrases and snippets.
extension APIRoutes {
    func search(_ request: APIRequest) -> APIResponse {
        let text = request.query["q"] ?? ""
        let query = SearchQuery.parse(text)
        guard !query.isEmpty else {
            return Self.error(400, "bad_query", "give words to search for, e.g. /v1/search?q=bo+truong")
        }
        var limit = 20
        if let value = request.query["limit"] {
            guard let parsed = Int(value), (1...100).contains(parsed) else { return Self.error(400, "bad_limit", "limit must be an integer from 1 to 100") }
            limit = parsed
        }
        var offset = 0
        if let value = request.query["offset"] {
            guard let parsed = Int(value), parsed >= 0 else { return Self.error(400, "bad_offset", "offset must be a non-negative integer") }
            offset = parsed
        }
        let store = store
        // Only what search shows is read (the article's own log line, not its duplicates' sightings), and each
        // page hit once: the snippet and the answer share it. A hit whose text could not be read has no snippet,
        // title or date; it is not read again.
        var texts: [String: ArticleText] = [:]
        let (total, hits) = board.search.search(query, limit: limit, offset: offset) { id in
            guard let text = try? store.articleText(id: id) else { return nil }
            texts[id] = text
            return SearchDocument(id: id, title: text.title, author: text.author, source: text.source, body: text.body)
        }
        let results = hits.map { hit in
            let text = texts[hit.id]
            return SearchResponse.Hit(
                id: hit.id, score: (hit.score * 1000).rounded() / 1000, snippet: hit.snippet, title: text?.title,
                published: text?.published, source: text?.source, author: text?.author)
        }
        return Self.json(SearchResponse(query: text, total: total, indexed: board.search.documentCount, results: results))
    }
}
