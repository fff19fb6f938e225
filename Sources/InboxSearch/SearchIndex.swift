import Synchronization

/// In-memory inverted index over article title, body, author and source; case- and
/// diacritic-insensitive, all terms required, quoted phrases, BM25F ranking with a title boost.
///
/// Thread safety: one `Mutex` guards the index, and both sides keep their locked sections short.
/// ``add(_:)`` tokenizes outside the lock and only appends postings inside it (tens of µs for a
/// news article). ``search(_:limit:offset:fetch:)`` holds the lock only to look up the query
/// terms and take references to their posting prefixes (µs); intersecting, scoring and ranking
/// then run without the lock over storage that is append-only (see ``AppendOnlyBuffer``), and
/// the lock is taken again briefly to turn document numbers of the top candidates into ids.
/// `fetch` is never called with the lock held.
public final class SearchIndex: Sendable {
    /// BM25 parameters.
    static let k1 = 1.2
    static let b = 0.75
    /// The most documents one query fetches to verify phrases before it settles for what it
    /// found (and estimates `total`), on top of `offset + limit`.
    static let phraseVerificationBudget = 1000

    let state = Mutex(IndexState())

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
    /// - Returns: `total`, the number of matching documents, and the hits ranked `offset ..<
    ///   offset + limit` (best first; equal scores put the more recently added document first).
    ///   Without phrases `total` is exact. With phrases the index only knows which documents
    ///   hold all the phrase words; candidates are fetched and verified in rank order until the
    ///   page is full, so `total` is exact only when every candidate got verified, and otherwise
    ///   an estimate: verified + (unchecked candidates × share of checked ones that matched).
    ///   At most `offset + limit +` ``phraseVerificationBudget`` documents are fetched for
    ///   verification; a page can come back short when that runs out.
    /// - Parameter fetch: the full document for an id (from the store), called only for the
    ///   ranked candidates needed for phrase verification and snippets, never with a lock held.
    ///   Returning nil drops a phrase candidate, or leaves a hit without a snippet.
    public func search(
        _ query: SearchQuery, limit: Int, offset: Int = 0, fetch: (String) -> SearchDocument?
    ) -> (total: Int, hits: [SearchHit]) {
        let query = query.normalized()
        let terms = query.allTerms
        guard !terms.isEmpty else { return (0, []) }
        guard let snapshot = takeSnapshot(terms) else { return (0, []) }
        var ranking = withExtendedLifetime(snapshot) { Ranker.rank(snapshot) }
        let total = ranking.count
        let offset = max(0, offset)
        let limit = max(0, limit)
        let (wanted, overflow) = offset.addingReportingOverflow(limit)
        let target = overflow ? Int.max : wanted
        let highlight = Set(terms)

        if query.phrases.isEmpty {
            var page: [Candidate] = []
            var rank = 0
            while rank < target, let c = ranking.pop() {
                if rank >= offset { page.append(c) }
                rank += 1
            }
            let ids = self.ids(page)
            let hits = zip(page, ids).map { c, id in
                SearchHit(
                    id: id, score: c.score,
                    snippet: fetch(id).map { Snippet.make($0, terms: highlight, phrases: []) } ?? "")
            }
            return (total, hits)
        }

        let budget = target > Int.max - Self.phraseVerificationBudget ? Int.max : target + Self.phraseVerificationBudget
        var hits: [SearchHit] = []
        var verified = 0
        var checked = 0
        // Verify at least one candidate so that `total` is an estimate, not a guess, at limit 0.
        verifying: while verified < max(target, 1) && checked < budget && !ranking.isEmpty {
            var batch: [Candidate] = []
            let batchSize = min(max(target - verified, 8), 64, budget - checked)
            while batch.count < batchSize, let c = ranking.pop() { batch.append(c) }
            for (c, id) in zip(batch, ids(batch)) {
                // Popped but not checked: counts among the estimated remainder.
                if verified >= max(target, 1) { break verifying }
                checked += 1
                guard let document = fetch(id), PhraseMatcher.matches(document, phrases: query.phrases) else { continue }
                verified += 1
                if verified > offset && verified <= target {
                    hits.append(
                        SearchHit(
                            id: id, score: c.score,
                            snippet: Snippet.make(document, terms: highlight, phrases: query.phrases)))
                }
            }
        }
        let remaining = total - checked
        let estimate =
            remaining == 0 || checked == 0
            ? verified : verified + Int((Double(remaining) * Double(verified) / Double(checked)).rounded())
        return (estimate, hits)
    }

    /// Looks up the terms and takes their posting prefixes; nil when a term is not indexed.
    private func takeSnapshot(_ terms: [String]) -> QuerySnapshot? {
        state.withLock { state -> QuerySnapshot? in
            var postings: [PostingSnapshot] = []
            postings.reserveCapacity(terms.count)
            for term in terms {
                guard let t = state.termNumbers[term] else { return nil }
                postings.append(state.postings[Int(t)].snapshot)
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
