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

/// Intersects posting lists and scores the documents that contain every term.
enum Ranker {
    /// Every document holding all the snapshot's terms, BM25F-scored, in a heap that pops them
    /// best first.
    ///
    /// The rarest term's list is decoded in full; each other list, rarest first, is then only
    /// probed at the surviving candidates, skipping whole blocks, so a very common word
    /// (`và`, `của`) costs at most one pass over its list and usually much less.
    static func rank(_ snapshot: QuerySnapshot) -> CandidateHeap {
        let terms = snapshot.terms.sorted { $0.documentFrequency < $1.documentFrequency }
        guard let rarest = terms.first, snapshot.documentCount > 0 else { return CandidateHeap([]) }
        let n = Double(snapshot.documentCount)
        let averageLength = max(1, Double(snapshot.totalLength) / n)
        let lengths = UnsafePointer(snapshot.lengths.base)
        let k1 = SearchIndex.k1
        let b = SearchIndex.b

        func idf(_ df: Int) -> Double {
            let d = Double(df)
            return log(1 + (n - d + 0.5) / (d + 0.5))
        }

        var documents: [UInt32] = []
        var norms: [Double] = []
        var scores: [Double] = []
        documents.reserveCapacity(rarest.documentFrequency)
        norms.reserveCapacity(rarest.documentFrequency)
        scores.reserveCapacity(rarest.documentFrequency)
        do {
            let w = idf(rarest.documentFrequency) * (k1 + 1)
            var cursor = PostingCursor(rarest)
            while cursor.next() {
                let d = cursor.document
                let norm = k1 * (1 - b + b * Double(lengths[Int(d)]) / averageLength)
                let tf = Double(cursor.tf)
                documents.append(d)
                norms.append(norm)
                scores.append(w * tf / (tf + norm))
            }
        }
        for term in terms.dropFirst() {
            if documents.isEmpty { break }
            let w = idf(term.documentFrequency) * (k1 + 1)
            var cursor = PostingCursor(term)
            var kept = 0
            for i in documents.indices {
                guard cursor.advance(to: documents[i]) else {
                    if cursor.exhausted { break }
                    continue
                }
                let tf = Double(cursor.tf)
                documents[kept] = documents[i]
                norms[kept] = norms[i]
                scores[kept] = scores[i] + w * tf / (tf + norms[i])
                kept += 1
            }
            documents.removeSubrange(kept...)
            norms.removeSubrange(kept...)
            scores.removeSubrange(kept...)
        }
        var candidates: [Candidate] = []
        candidates.reserveCapacity(documents.count)
        for i in documents.indices { candidates.append(Candidate(score: scores[i], document: documents[i])) }
        return CandidateHeap(candidates)
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
