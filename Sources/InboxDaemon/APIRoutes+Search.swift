import Foundation
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
        var records: [String: ArticleRecord] = [:]
        let (total, hits) = board.search.search(query, limit: limit, offset: offset) { id in
            guard let record = try? store.record(id: id) else { return nil }
            records[id] = record
            return SearchDocument(id: id, title: record.title, author: record.author, source: record.source, body: record.body)
        }
        let results: [[String: Any]] = hits.map { hit in
            let record = records[hit.id] ?? (try? store.record(id: hit.id)) ?? nil
            return [
                "id": hit.id, "score": (hit.score * 1000).rounded() / 1000, "snippet": hit.snippet,
                "title": record?.title ?? NSNull(), "published": record?.published ?? NSNull(),
                "source": record?.source ?? NSNull(), "author": record?.author ?? NSNull(),
            ]
        }
        let body: [String: Any] = ["query": text, "total": total, "results": results, "indexed": board.search.documentCount]
        guard let data = try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return Self.error(500, "encode", "cannot encode search results")
        }
        return APIResponse(status: 200, body: Array(data))
    }
}
