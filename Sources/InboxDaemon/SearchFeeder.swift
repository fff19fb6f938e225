import Dispatch
import InboxSearch
import InboxStore
import Logging
import Synchronization

/// Keeps the search index current without slowing ingestion, on two threads of its own at
/// nice 19 (`BackgroundLane`), so both cores serve it when nothing else wants them. After a
/// restart the feeding thread reads the store's articles page by page while the indexing thread
/// tokenizes and appends the page before (reading a page of JSON costs about as much as indexing
/// it). New articles, held until a burst is over, go the same way, after the store's: the index
/// takes every article in the order it comes.
/// Search answers from what is indexed so far (`indexed` in the search response tells how far
/// that is).
final class SearchFeeder: Sendable {
    private let index: SearchIndex
    private let feeding = BackgroundLane(name: "inboxd-feed")
    private let indexing = BackgroundLane(name: "inboxd-search")
    /// Pages handed to the indexing thread and not yet appended: how far the feeding thread may
    /// run ahead, so a big store is never held in memory whole.
    private let pagesInFlight = DispatchSemaphore(value: 4)
    static let pageSize = 256
    /// Committed articles not yet handed to the lanes, and the bytes of their text.
    private let held = Mutex<(documents: [SearchDocument], bytes: Int)>(([], 0))

    /// Indexing costs about a third of a file's CPU. Held back while a burst lasts, it leaves
    /// both cores to parsing and committing, and the files leave the inbox sooner. Past this much
    /// text (a burst of ~15,000 typical articles) the lanes get the documents anyway, so memory
    /// stays bounded however long a burst runs.
    static let holdLimitBytes = 64 << 20

    init(index: SearchIndex) { self.index = index }

    /// Indexes every article already in the store, in store order, page by page. Articles
    /// released meanwhile follow the last page (the feeding thread takes its jobs in order).
    func loadExisting(from store: ArticleStore, logger: Logger) {
        feeding.async { [self] in
            let started = ContinuousClock.now
            var cursor: UInt64?
            var count = 0
            while true {
                guard let page = try? store.page(after: cursor, limit: Self.pageSize, includeBody: true), !page.isEmpty else { break }
                hand(page.map(Self.document))
                count += page.count
                cursor = page.last?.seq
            }
            if count > 0 {
                indexing.async { [count] in
                    logger.info("search index loaded", metadata: ["articles": "\(count)", "seconds": "\(ContinuousClock.now - started)"])
                }
            }
        }
    }

    /// Has the indexing thread add `documents`, after waiting while too many pages wait for it.
    /// Only called on the feeding thread, so pages reach the index in the order they were read.
    private func hand(_ documents: [SearchDocument]) {
        let index = index
        pagesInFlight.wait()
        let pagesInFlight = pagesInFlight
        indexing.async {
            // An article committed during a restart's load is on a page and also released: the
            // index ignores an id it has.
            for document in documents { index.add(document) }
            pagesInFlight.signal()
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

    /// Hands every held article to the lanes: called when the inbox has been drained.
    func release() {
        let documents = held.withLock { held in
            defer { held = ([], 0) }
            return held.documents
        }
        guard !documents.isEmpty else { return }
        feeding.async { [self] in
            var start = 0
            while start < documents.count {
                let end = min(start + Self.pageSize, documents.count)
                hand(Array(documents[start..<end]))
                start = end
            }
        }
    }

    private static func textBytes(_ document: SearchDocument) -> Int {
        document.body.reduce(document.title?.utf8.count ?? 0) { $0 + $1.utf8.count }
    }

    static func document(_ record: ArticleRecord) -> SearchDocument {
        SearchDocument(id: record.id, title: record.title, author: record.author, source: record.source, body: record.body)
    }
}
