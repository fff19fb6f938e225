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
    /// Committed articles not yet handed to the lane (their ids: the lane reads their text back
    /// from the store), the bytes of that text, and the store (set by `loadExisting`).
    private let held = Mutex<Held>(Held())

    private struct Held {
        var ids: [String] = []
        var bytes = 0
        var store: ArticleStore?
    }

    /// Indexing costs about a third of a file's CPU. Held back while a burst lasts, it leaves
    /// both cores to parsing and committing, and the files leave the inbox sooner. Past this much
    /// text (a burst of ~15,000 typical articles) the lane gets the documents anyway, so memory
    /// stays bounded however long a burst runs.
    static let holdLimitBytes = 64 << 20

    init(index: SearchIndex) { self.index = index }

    /// Indexes every article already in the store, in store order, page by page; the articles
    /// committed from now on are read back from the same store.
    func loadExisting(from store: ArticleStore, logger: Logger) {
        held.withLock { $0.store = store }
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
    ///
    /// Only their ids are held, not their text: keeping a burst's bodies alive until the inbox was
    /// drained made the parsing threads' heaps grow all burst long (a page fault per file, 4 % of
    /// the daemon's CPU). The lane reads each article's text back from the store instead.
    func add(_ records: [ArticleRecord]) {
        guard !records.isEmpty else { return }
        let bytes = records.reduce(0) { $0 + Self.textBytes($1) }
        let full = held.withLock { held in
            held.ids.append(contentsOf: records.map(\.id))
            held.bytes += bytes
            return held.bytes >= Self.holdLimitBytes
        }
        if full { release() }
    }

    /// Hands every held article to the indexing lane: called when the inbox has been drained.
    func release() {
        let (ids, store) = held.withLock { held in
            defer { held = Held(store: held.store) }
            return (held.ids, held.store)
        }
        guard !ids.isEmpty, let store else { return }
        let index = index
        queue.async {
            for id in ids {
                guard let text = try? store.articleText(id: id) else { continue }
                index.add(SearchDocument(id: id, title: text.title, author: text.author, source: text.source, body: text.body))
            }
        }
    }

    private static func textBytes(_ record: ArticleRecord) -> Int {
        record.body.reduce(record.title?.utf8.count ?? 0) { $0 + $1.utf8.count }
    }

    static func document(_ record: ArticleRecord) -> SearchDocument {
        SearchDocument(id: record.id, title: record.title, author: record.author, source: record.source, body: record.body)
    }
}
