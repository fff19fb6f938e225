import InboxSearch
import InboxStore
import Logging

/// Keeps the search index current without slowing ingestion: documents are tokenized on a
/// low-priority thread of their own (`BackgroundLane`), the store's existing articles first (after a restart), then each new
/// article as its batch commits. Search answers from what is indexed so far (`indexed` in the
/// search response tells how far that is).
final class SearchFeeder: Sendable {
    private let index: SearchIndex
    private let queue = BackgroundLane(name: "inboxd-search")

    init(index: SearchIndex) { self.index = index }

    /// Indexes every article already in the store, in store order, page by page.
    func loadExisting(from store: ArticleStore, logger: Logger) {
        let index = index
        queue.async {
            let started = ContinuousClock.now
            var cursor: UInt64?
            var count = 0
            while true {
                guard let page = try? store.page(after: cursor, limit: 256, includeBody: true), !page.isEmpty else { break }
                for record in page { index.add(Self.document(record)) }
                count += page.count
                cursor = page.last?.seq
            }
            if count > 0 {
                logger.info("search index loaded", metadata: ["articles": "\(count)", "seconds": "\(ContinuousClock.now - started)"])
            }
        }
    }

    /// Queues freshly committed articles.
    func add(_ records: [ArticleRecord]) {
        guard !records.isEmpty else { return }
        let index = index
        let documents = records.map(Self.document)
        queue.async { for document in documents { index.add(document) } }
    }

    static func document(_ record: ArticleRecord) -> SearchDocument {
        SearchDocument(id: record.id, title: record.title, author: record.author, source: record.source, body: record.body)
    }
}
