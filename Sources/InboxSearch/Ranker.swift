import Foundation

/// A matching document and its score.
struct Candidate: Sendable {
    var score: Double
    var document: UInt32

    /// Rank order: higher score first, then the more recently added document.
    @inline(__always)
    func ranksBefore(_ other: Candidate) -> Bool {
        score > other.score || (score == other.score && document > other.document)
    }
}

/// Intersects posting lists, checks phrases and scores the documents that match.
enum Ranker {
    /// Phrase queries whose rarest term is in at most this many documents check every
    /// candidate (a document holding all the terms) for the phrases, so their `total` is exact.
    static let exactPhraseCandidates = 4096
    /// Otherwise about this many candidates, spread evenly, are checked to estimate `total`.
    static let phraseSample = 1024
    /// Checks (besides the sample) in document order before the rest are deferred, and how many
    /// of the deferred are then checked, best first: bounds the cost of a phrase of common words
    /// that rarely stand together.
    static let phraseCheckBudget = 4096
    static let deferredCheckBudget = 2048

    /// The ranked matches of a query: `total` documents match (an estimate for some phrase
    /// queries, see ``SearchIndex/search(_:limit:offset:fetch:)``), `top` are the best `k` of
    /// them, best first. `phrases` are term sequences given as indices into `snapshot.terms`.
    ///
    /// Document at a time: the rarest term's postings drive, and every other list, rarest
    /// first, is only probed at those documents (skipping whole blocks), so a very common word
    /// (`và`, `của`) costs at most one pass over its list and usually much less. A candidate
    /// is checked for the phrases (from the positions under the cursors) only when it could
    /// enter the top `k` or falls in the sample.
    static func rank(_ snapshot: QuerySnapshot, phrases: [[Int]], k: Int) -> (total: Int, top: [Candidate]) {
        guard snapshot.documentCount > 0, !snapshot.terms.isEmpty else { return (0, []) }
        let scorer = Scorer(snapshot)
        let terms = snapshot.terms
        let order = terms.indices.sorted { terms[$0].documentFrequency < terms[$1].documentFrequency }
        var cursors = order.map { PostingCursor(snapshot.terms[$0]) }
        let weights = order.map { scorer.weight(snapshot.terms[$0].documentFrequency) }
        let phrase = PhraseCheck(phrases.map { p in p.map { order.firstIndex(of: $0) ?? 0 } })
        let rarest = snapshot.terms[order[0]].documentFrequency
        let checkAll = rarest <= exactPhraseCandidates
        let stride = checkAll ? 1 : max(1, rarest / phraseSample)

        var top = TopK(k)
        var deferred = TopK(deferredCheckBudget)
        var checks = 0
        var candidates = 0
        var matches = 0
        var sampled = 0
        var sampledMatches = 0
        cursors.withUnsafeMutableBufferPointer { cursors in
            weights.withUnsafeBufferPointer { weights in
                scan: while cursors[0].next() {
                    let d = cursors[0].document
                    for t in 1..<cursors.count where !cursors[t].advance(to: d) {
                        if cursors[t].exhausted { break scan }
                        continue scan
                    }
                    // Σ w·tf/(tf + norm) over one common denominator: a single division.
                    let norm = scorer.norm(d)
                    var numerator = 0.0
                    var denominator = 1.0
                    for t in 0..<cursors.count {
                        let tf = Double(cursors[t].tf)
                        numerator = numerator * (tf + norm) + weights[t] * tf * denominator
                        denominator *= tf + norm
                    }
                    candidates &+= 1
                    if phrase.isEmpty {
                        // Most documents of a common-word query cannot enter a full top k: they are
                        // told apart by one multiplication, without the division (its latency was a
                        // tenth of ranking). The margin leaves every close call to `offer`.
                        if let worst = top.worstKept, numerator < worst.score * denominator * (1 - 1e-12) { continue }
                        top.offer(Candidate(score: numerator / denominator, document: d))
                        continue
                    }
                    let candidate = Candidate(score: numerator / denominator, document: d)
                    let inSample = candidates % stride == 0
                    guard inSample || top.accepts(candidate) else { continue }
                    if !inSample && checks >= phraseCheckBudget {
                        deferred.offer(candidate)
                        continue
                    }
                    checks &+= 1
                    let found = phrase.occurs(cursors)
                    if inSample {
                        sampled &+= 1
                        if found { sampledMatches &+= 1 }
                    }
                    if found {
                        matches &+= 1
                        top.offer(candidate)
                    }
                }
            }
        }
        if !deferred.isEmpty {
            // Budget spent: check the best of the rest, in document order on fresh cursors.
            var fresh = order.map { PostingCursor(snapshot.terms[$0]) }
            fresh.withUnsafeMutableBufferPointer { fresh in
                for candidate in deferred.bestFirst().sorted(by: { $0.document < $1.document }) {
                    guard top.accepts(candidate) else { continue }
                    guard (0..<fresh.count).allSatisfy({ fresh[$0].advance(to: candidate.document) }) else { continue }
                    if phrase.occurs(fresh) {
                        matches &+= 1
                        top.offer(candidate)
                    }
                }
            }
        }
        if phrase.isEmpty { return (candidates, top.bestFirst()) }
        if checkAll { return (matches, top.bestFirst()) }
        let share = sampled == 0 ? 0 : Double(sampledMatches) / Double(sampled)
        return (max(matches, Int((Double(candidates) * share).rounded())), top.bestFirst())
    }
}

/// Phrase occurrence from the positions under the query's cursors.
struct PhraseCheck {
    /// Each phrase as the cursor index of each of its slots.
    private let phrases: [[Int]]

    init(_ phrases: [[Int]]) {
        self.phrases = phrases
    }

    var isEmpty: Bool { phrases.isEmpty }

    /// True when every phrase occurs in the document all `cursors` are on.
    func occurs(_ cursors: UnsafeMutableBufferPointer<PostingCursor>) -> Bool {
        phrases.allSatisfy { occurs($0, cursors) }
    }

    /// True when some start p has slot i's term at p + i for every i: one merge pass over the
    /// slots' position streams, decoded only as far as needed.
    private func occurs(_ slots: [Int], _ cursors: UnsafeMutableBufferPointer<PostingCursor>) -> Bool {
        withUnsafeTemporaryAllocation(of: PositionReader.self, capacity: slots.count) { readers in
            for (i, c) in slots.enumerated() {
                (readers.baseAddress! + i).initialize(to: cursors[c].positionReader())
                if i > 0 && !readers[i].next() { return false }
            }
            while readers[0].next() {
                let start = readers[0].value
                var all = true
                for i in 1..<slots.count {
                    let target = start &+ UInt32(i)
                    while readers[i].value < target {
                        // Later starts need later positions: none left means no match.
                        if !readers[i].next() { return false }
                    }
                    if readers[i].value != target {
                        all = false
                        break
                    }
                }
                if all { return true }
            }
            return false
        }
    }
}

/// BM25 with the index's collection statistics.
struct Scorer {
    let documentCount: Double
    let lengths: UnsafePointer<UInt32>
    /// norm(d) = k1 · (1 − b + b · length(d) / average length) = a + c · length(d).
    let a: Double
    let c: Double

    init(_ snapshot: QuerySnapshot) {
        documentCount = Double(snapshot.documentCount)
        lengths = UnsafePointer(snapshot.lengths.base)
        let averageLength = max(1, Double(snapshot.totalLength) / documentCount)
        a = SearchIndex.k1 * (1 - SearchIndex.b)
        c = SearchIndex.k1 * SearchIndex.b / averageLength
    }

    /// idf · (k1 + 1) for a term in `df` documents.
    func weight(_ df: Int) -> Double {
        let d = Double(df)
        return log(1 + (documentCount - d + 0.5) / (d + 0.5)) * (SearchIndex.k1 + 1)
    }

    @inline(__always)
    func norm(_ document: UInt32) -> Double { a + c * Double(lengths[Int(document)]) }
}

/// The best `k` candidates seen: a min-heap whose root is the worst kept.
struct TopK {
    let k: Int
    private var items: [Candidate] = []

    init(_ k: Int) {
        self.k = k
        items.reserveCapacity(min(k, 1024))
    }

    mutating func offer(_ c: Candidate) {
        if items.count < k {
            items.append(c)
            var i = items.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard items[parent].ranksBefore(items[i]) else { break }
                items.swapAt(parent, i)
                i = parent
            }
        } else if k > 0 && c.ranksBefore(items[0]) {
            items[0] = c
            var i = 0
            while true {
                var child = 2 * i + 1
                if child >= items.count { break }
                if child + 1 < items.count && items[child].ranksBefore(items[child + 1]) { child += 1 }
                guard items[i].ranksBefore(items[child]) else { break }
                items.swapAt(i, child)
                i = child
            }
        }
    }

    /// True when `c` would be kept.
    @inline(__always)
    func accepts(_ c: Candidate) -> Bool { items.count < k || (k > 0 && c.ranksBefore(items[0])) }

    var isEmpty: Bool { items.isEmpty }

    /// The worst of the `k` kept once there are `k` (a candidate must rank before it to get in).
    var worstKept: Candidate? { k > 0 && items.count == k ? items[0] : nil }

    func bestFirst() -> [Candidate] { items.sorted { $0.ranksBefore($1) } }
}
