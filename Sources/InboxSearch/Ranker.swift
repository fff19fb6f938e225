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
    /// Phrase queries whose candidates (documents with every term) are at most this many are
    /// checked in full, so their `total` is exact.
    static let exactPhraseCandidates = 2048
    /// Otherwise: how many candidates, spread evenly, are checked to estimate `total`, and the
    /// most that are checked, best first, to fill a page.
    static let phraseSample = 256
    static let phraseCheckBudget = 8192

    /// The ranked matches of a query: `total` documents match (an estimate for some phrase
    /// queries, see ``SearchIndex/search(_:limit:offset:fetch:)``), `top` are the best `k` of
    /// them, best first. `phrases` are term sequences given as indices into `snapshot.terms`.
    ///
    /// Document at a time: the rarest term's postings drive, and every other list, rarest
    /// first, is only probed at those documents (skipping whole blocks), so a very common word
    /// (`và`, `của`) costs at most one pass over its list and usually much less.
    static func rank(_ snapshot: QuerySnapshot, phrases: [[Int]], k: Int) -> (total: Int, top: [Candidate]) {
        guard snapshot.documentCount > 0, !snapshot.terms.isEmpty else { return (0, []) }
        let scorer = Scorer(snapshot)
        let order = snapshot.terms.indices.sorted { snapshot.terms[$0].documentFrequency < snapshot.terms[$1].documentFrequency }
        var cursors = order.map { PostingCursor(snapshot.terms[$0]) }
        let weights = order.map { scorer.weight(snapshot.terms[$0].documentFrequency) }

        var top = TopK(k)
        var total = 0
        var candidates: [Candidate] = []  // every match, in document order, for phrase queries
        let collect = !phrases.isEmpty
        scan: while cursors[0].next() {
            let d = cursors[0].document
            for t in 1..<cursors.count where !cursors[t].advance(to: d) {
                if cursors[t].exhausted { break scan }
                continue scan
            }
            let norm = scorer.norm(d)
            var score = 0.0
            for t in cursors.indices {
                let tf = Double(cursors[t].tf)
                score += weights[t] * tf / (tf + norm)
            }
            if collect {
                candidates.append(Candidate(score: score, document: d))
            } else {
                total += 1
                top.offer(Candidate(score: score, document: d))
            }
        }
        if !collect { return (total, top.bestFirst()) }
        return rankPhrases(snapshot, phrases: phrases, candidates: candidates, k: k)
    }

    /// Keeps the candidates that contain every phrase: all of them when they are few, else the
    /// best ones until `k` match, with `total` estimated from an even sample.
    private static func rankPhrases(
        _ snapshot: QuerySnapshot, phrases: [[Int]], candidates: [Candidate], k: Int
    ) -> (total: Int, top: [Candidate]) {
        func filter() -> PhraseFilter {
            PhraseFilter(phrases.map { phrase in phrase.map { snapshot.terms[$0] } })
        }
        if candidates.count <= exactPhraseCandidates {
            var f = filter()
            var top = TopK(k)
            var total = 0
            for c in candidates where f.matches(c.document) {
                total += 1
                top.offer(c)
            }
            return (total, top.bestFirst())
        }
        // Estimate the share of candidates that match from an even sample (document order).
        var sampler = filter()
        let stride = Double(candidates.count) / Double(phraseSample)
        var sampled = 0
        for i in 0..<phraseSample where sampler.matches(candidates[Int(Double(i) * stride)].document) { sampled += 1 }

        // Best first, in batches checked in document order (cursors only move forward).
        var heap = CandidateHeap(candidates)
        var matched: [Candidate] = []
        var checked = 0
        while matched.count < k && checked < phraseCheckBudget && !heap.isEmpty {
            var batch: [Candidate] = []
            while batch.count < 64, let c = heap.pop() { batch.append(c) }
            checked += batch.count
            var f = filter()
            let ok = Set(batch.map(\.document).sorted().filter { f.matches($0) })
            matched += batch.filter { ok.contains($0.document) }
        }
        let total: Int
        if heap.isEmpty {
            total = matched.count
        } else {
            let estimate = Int((Double(candidates.count) * Double(sampled) / Double(phraseSample)).rounded())
            total = max(estimate, matched.count)
        }
        return (total, Array(matched.prefix(k)))
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

    func bestFirst() -> [Candidate] { items.sorted { $0.ranksBefore($1) } }
}

/// Tells which documents (asked in increasing order, each holding every term) contain every
/// phrase, from the positions of the phrase terms.
struct PhraseFilter {
    /// One cursor per distinct term; each phrase as the cursors of its slots.
    private var cursors: [PostingCursor] = []
    private var phrases: [[Int]] = []
    private var positions: [[UInt32]]

    init(_ phrases: [[PostingSnapshot]]) {
        var seen: [ObjectIdentifier: Int] = [:]
        for phrase in phrases {
            var slots: [Int] = []
            for term in phrase {
                let key = ObjectIdentifier(term.documents)
                if let k = seen[key] {
                    slots.append(k)
                } else {
                    seen[key] = cursors.count
                    slots.append(cursors.count)
                    cursors.append(PostingCursor(term))
                }
            }
            self.phrases.append(slots)
        }
        positions = Array(repeating: [], count: cursors.count)
    }

    mutating func matches(_ document: UInt32) -> Bool {
        for k in cursors.indices {
            guard cursors[k].advance(to: document) else { return false }
            cursors[k].positions(into: &positions[k])
        }
        return phrases.allSatisfy(occurs)
    }

    /// True when some start p has slot i's term at p + i for every i.
    private func occurs(_ slots: [Int]) -> Bool {
        guard let head = slots.first else { return true }
        for start in positions[head] {
            var all = true
            for i in 1..<slots.count where !Self.contains(positions[slots[i]], start &+ UInt32(i)) {
                all = false
                break
            }
            if all { return true }
        }
        return false
    }

    private static func contains(_ sorted: [UInt32], _ value: UInt32) -> Bool {
        var lo = 0
        var hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == value
    }
}

/// A binary heap of candidates that pops them in rank order; built in O(n), so a query pays
/// O(log n) per result it actually needs rather than a full sort.
struct CandidateHeap {
    private var items: [Candidate]

    init(_ items: [Candidate]) {
        self.items = items
        var i = items.count / 2
        while i > 0 {
            i -= 1
            siftDown(i)
        }
    }

    var count: Int { items.count }
    var isEmpty: Bool { items.isEmpty }

    /// The best remaining candidate.
    mutating func pop() -> Candidate? {
        guard let last = items.popLast() else { return nil }
        guard !items.isEmpty else { return last }
        let top = items[0]
        items[0] = last
        siftDown(0)
        return top
    }

    private mutating func siftDown(_ start: Int) {
        var i = start
        let n = items.count
        let item = items[i]
        while true {
            var child = 2 * i + 1
            if child >= n { break }
            if child + 1 < n && items[child + 1].ranksBefore(items[child]) { child += 1 }
            guard items[child].ranksBefore(item) else { break }
            items[i] = items[child]
            i = child
        }
        items[i] = item
    }
}
