import Foundation
import InboxServer
import InboxStore

/// `/v1/articles`, `/v1/articles/{id}`, `/v1/duplicates`.
extension APIRoutes {
    /// Records examined per request when filtering: a filter never turns one request into a
    /// scan of the whole store; the cursor lets the client continue where the scan stopped.
    static let scanBudget = 5000

    struct ArticleFilter {
        var since: String?
        var until: String?
        var source: String?
        var language: String?
        var duplicatesOnly = false

        var isEmpty: Bool { since == nil && until == nil && source == nil && language == nil && !duplicatesOnly }

        /// Dates compare on `published` (ISO 8601 strings of one offset compare as text; a bare
        /// `YYYY-MM-DD` bound covers that whole day). Articles without a date never match a date filter.
        func matches(_ record: ArticleRecord) -> Bool {
            if duplicatesOnly && record.duplicates.isEmpty { return false }
            if let source, record.source?.lowercased() != source.lowercased() { return false }
            if let language, record.language != language { return false }
            if since != nil || until != nil {
                guard let published = record.published else { return false }
                let day = String(published.prefix(10))
                if let since, (since.count == 10 ? day : published) < since { return false }
                if let until, (until.count == 10 ? day : published) > until { return false }
            }
            return true
        }
    }

    func listArticles(_ request: APIRequest) -> APIResponse {
        var filter = ArticleFilter()
        filter.since = request.query["since"].flatMap { $0.isEmpty ? nil : $0 }
        filter.until = request.query["until"].flatMap { $0.isEmpty ? nil : $0 }
        filter.source = request.query["source"].flatMap { $0.isEmpty ? nil : $0 }
        filter.language = request.query["language"].flatMap { $0.isEmpty ? nil : $0 }
        return scan(request, filter: filter, key: "articles")
    }

    func listDuplicates(_ request: APIRequest) -> APIResponse {
        var filter = ArticleFilter()
        filter.duplicatesOnly = true
        return scan(request, filter: filter, key: "duplicates")
    }

    /// One page in store order; `next_cursor` is null only when the end of the store was reached.
    private func scan(_ request: APIRequest, filter: ArticleFilter, key: String) -> APIResponse {
        var after: UInt64?
        if let cursor = request.query["cursor"], !cursor.isEmpty {
            guard let value = UInt64(cursor) else { return Self.error(400, "bad_cursor", "cursor must be a value from next_cursor") }
            after = value
        }
        var limit = 100
        if let text = request.query["limit"] {
            guard let value = Int(text), (1...1000).contains(value) else {
                return Self.error(400, "bad_limit", "limit must be an integer from 1 to 1000")
            }
            limit = value
        }
        do {
            var matched: [ArticleRecord] = []
            var examined = 0
            var cursor = after
            var reachedEnd = false
            while matched.count < limit && examined < Self.scanBudget {
                let chunk = filter.isEmpty ? limit - matched.count : min(500, Self.scanBudget - examined)
                let records = try store.page(after: cursor, limit: chunk)
                examined += records.count
                for record in records {
                    cursor = record.seq
                    if filter.matches(record) {
                        matched.append(record)
                        if matched.count == limit { break }
                    }
                }
                if records.count < chunk { reachedEnd = true; break }
            }
            if !reachedEnd, matched.count == limit, let last = matched.last, let seq = cursor, seq == last.seq {
                // A full page ends exactly at its last match; whether more exist is the next page's question.
                reachedEnd = try store.page(after: seq, limit: 1).isEmpty
            }
            let next = reachedEnd ? nil : cursor.map(String.init)
            var body = Array("{\"\(key)\":[".utf8)
            for (index, record) in matched.enumerated() {
                if index > 0 { body.append(UInt8(ascii: ",")) }
                body.append(contentsOf: try Self.encodeWithoutBody(record))
            }
            body.append(contentsOf: Array("],\"next_cursor\":".utf8))
            body.append(contentsOf: Array((next.map { "\"\($0)\"" } ?? "null").utf8))
            body.append(UInt8(ascii: "}"))
            return APIResponse(status: 200, body: body)
        } catch {
            return Self.error(500, "store_error", "\(error)")
        }
    }

    func showArticle(_ id: String) -> APIResponse {
        do {
            guard let record = try store.record(id: id) else {
                return Self.error(404, "not_found", "no article with id \(id); list ids with `inboxctl list`")
            }
            return APIResponse(status: 200, body: Array(try Self.encoder.encode(record)))
        } catch {
            return Self.error(500, "store_error", "\(error)")
        }
    }

    /// Listing leaves out the body, the one large field; `show` returns it.
    static func encodeWithoutBody(_ record: ArticleRecord) throws -> [UInt8] {
        var copy = record
        copy.body = []
        let data = try encoder.encode(copy)
        guard var object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else { return Array(data) }
        object.removeValue(forKey: "body")
        return Array(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
    }
}
