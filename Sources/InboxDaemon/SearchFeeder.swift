import InboxSearch
import InboxStore
import Logging
import Synchronization

/// Keeps the search index current without slowing ingestion: documents are tokenized on a
/// thread of its own at nice 19 (`BackgroundLane`), the store's existing articles first (after a
/// restart), then the new articles once a burst is over.
/// Search answers from what is indexed so far (`indexed` in the search response tells how far
/// that is).
final class SearchFeeder: Sendable {
    private let index: SearchIndex
    private let queue = BackgroundLane(name: "inboxd-search")
    /// Committed articles not yet handed to the lane, and the bytes of their text.
    private let held = Mutex<(documents: [SearchDocument], bytes: Int)>(([], 0))

    /// Indexing costs about a third of a file's CPU. Held back while a burst lasts, it leaves
    /// both cores to parsing and committing, and the files leave the inbox sooner. Past this much
    /// text (a burst of ~15,000 typical articles) the lane gets the documents anyway, so memory
    /// stays bounded however long a burst runs.
    static let holdLimitBytes = 64 << 20

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

    /// Holds freshly committed articles until `release()` (or until too many are held).
    func add(_ records: [ArticleRecord]) {
        guard !records.isEmpty else { return }
        let documents = records.map(Self.document)
        let bytes = documents.reduce(0) { $0 + Self.textBytes($1) }
        let full = held.withLock { held in
            held.documents.append(contentsOf: documents)
            held.bytes += bytes
            return held.bytes >= Self.holdLimitBytes
        }
        if full { release() }
    }

    /// Hands every held article to the indexing lane: called when the inbox has been drained.
    func release() {
        let documents = held.withLock { held in
            defer { held = ([], 0) }
            return held.documents
        }
        guard !documents.isEmpty else { return }
        let index = index
        queue.async { for document in documents { index.add(document) } }
    }

    private static func textBytes(_ document: SearchDocument) -> Int {
        document.body.reduce(document.title?.utf8.count ?? 0) { $0 + $1.utf8.count }
    }

    static func document(_ record: ArticleRecord) -> SearchDocument {
        SearchDocument(id: record.id, title: record.title, author: record.author, source: record.source, body: record.body)
    }
}
