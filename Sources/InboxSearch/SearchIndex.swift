import Synchronization

/// In-memory inverted index over article title, body, author and source; case- and
/// diacritic-insensitive, all terms required, quoted phrases, BM25F ranking with a title boost.
///
/// Thread safety: one `Mutex` guards the index, and both sides keep their locked sections short.
/// ``add(_:)`` tokenizes outside the lock and only appends postings inside it (tens of µs for a
/// news article). ``search(_:limit:offset:fetch:)`` holds the lock only to look up the query
/// terms and take references to their posting prefixes (µs); intersecting, phrase checking,
/// scoring and ranking then run without the lock over storage that is append-only (see
/// ``AppendOnlyBuffer``), and the lock is taken again briefly to turn the document numbers of
/// the page into ids. `fetch` is never called with the lock held.
public final class SearchIndex: Sendable {
    /// BM25 parameters.
    static let k1 = 1.2
    static let b = 0.75

    private let state = Mutex(IndexState())

    public init() {}

    /// Adds a document; adding an id that is already indexed does nothing (documents are
    /// immutable once indexed).
    public func add(_ document: SearchDocument) {
        if state.withLock({ $0.documentNumbers[document.id] != nil }) { return }
        let analyzed = AnalyzedDocument(document)
        state.withLock { state in
            guard state.documentNumbers[document.id] == nil else { return }
            state.append(analyzed, id: document.id)
        }
    }

    /// Number of indexed documents.
    public var documentCount: Int { state.withLock { $0.ids.count } }

    /// Approximate heap bytes held by the index (postings, skips, lengths, terms, ids), for metrics.
    public var memoryBytes: Int { state.withLock { $0.memoryBytes } }

    /// Ranked documents matching every word and phrase of `query`.
    ///
    /// - Returns: `total`, the number of matching documents, and the hits ranked
    ///   `offset ..< offset + limit` (best first; equal scores put the more recently added
    ///   document first). An empty query, or one with a term no document has, matches nothing.
    ///   `total` is exact unless the query has a phrase and its rarest term is in more than
    ///   ``Ranker/exactPhraseCandidates`` documents: then the documents holding every term are
    ///   all counted but only some are checked for the phrase (every one that could make the
    ///   page, plus an even sample of about ``Ranker/phraseSample``), and `total` is that count
    ///   times the share of the sample that matched (never less than the matches found).
    ///   Hits are always checked; they are the true best matches unless more than
    ///   ``Ranker/phraseCheckBudget`` candidates had to be checked (a phrase of common words
    ///   that rarely stand together): then only the best ``Ranker/deferredCheckBudget`` of the
    ///   remaining candidates are checked and a weaker-scoring match can be missed.
    /// - Parameter fetch: the full document for an id (from the store); called once for each
    ///   returned hit, to cut its snippet, never with a lock held. Phrases are checked against
    ///   positions in the index, so no other document is fetched. When it returns nil the hit
    ///   is still returned, with an empty snippet.
    public func search(
        _ query: SearchQuery, limit: Int, offset: Int = 0, fetch: (String) -> SearchDocument?
    ) -> (total: Int, hits: [SearchHit]) {
        let query = query.normalized()
        let terms = query.allTerms
        guard !terms.isEmpty, let snapshot = takeSnapshot(terms) else { return (0, []) }
        let phrases = query.phrases.map { phrase in phrase.compactMap { terms.firstIndex(of: $0) } }
        let offset = max(0, offset)
        let (end, overflow) = offset.addingReportingOverflow(max(0, limit))
        let ranked = withExtendedLifetime(snapshot) {
            Ranker.rank(snapshot, phrases: phrases, k: overflow ? Int.max : end)
        }
        let page = Array(ranked.top.dropFirst(offset))
        let snippet = Snippet(terms: terms, words: query.words, phrases: query.phrases)
        let hits = zip(page, ids(page)).map { c, id in
            SearchHit(id: id, score: c.score, snippet: fetch(id).map(snippet.make) ?? "")
        }
        return (ranked.total, hits)
    }

    /// Looks up the terms and takes their posting prefixes; nil when a term is not indexed.
    private func takeSnapshot(_ terms: [String]) -> QuerySnapshot? {
        state.withLock { state -> QuerySnapshot? in
            var postings: [PostingSnapshot] = []
            postings.reserveCapacity(terms.count)
            for term in terms {
                guard let list = state.postingList(term) else { return nil }
                postings.append(list.snapshot)
            }
            return QuerySnapshot(
                terms: postings, documentCount: state.ids.count, totalLength: state.totalLength,
                lengths: state.lengths.buffer)
        }
    }

    /// The ids of candidates, in order.
    private func ids(_ candidates: [Candidate]) -> [String] {
        if candidates.isEmpty { return [] }
        return state.withLock { state in candidates.map { state.ids[Int($0.document)] } }
    }
}

/// What a query reads outside the lock.
struct QuerySnapshot: Sendable {
    let terms: [PostingSnapshot]
    let documentCount: Int
    let totalLength: UInt64
    /// Valid for document numbers below `documentCount`.
    let lengths: AppendOnlyBuffer<UInt32>
}
