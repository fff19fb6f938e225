import Testing

@testable import InboxSearch

/// Generated corpora checked against brute force: postings, skips, positions and phrases.
@Suite struct PostingsTests {
    static let vocabulary = ["và", "của", "các", "bão", "lũ", "miền", "trung", "hà", "nội", "sơn", "thanh", "bộ"]

    /// Documents of random words with Zipf-like frequencies, some with titles.
    static func corpus(_ count: Int, seed: UInt64) -> [SearchDocument] {
        var rng = Fixtures.RNG(state: seed)
        func word() -> String {
            // Skewed: early words far more common, so long lists with skips and rare ones both occur.
            let r = rng.below(1000)
            return vocabulary[min(vocabulary.count - 1, Int(Double(vocabulary.count) * pow3(Double(r) / 1000)))]
        }
        return (0..<count).map { i in
            let paragraphs = (0..<(1 + rng.below(3))).map { _ in
                (0..<(1 + rng.below(12))).map { _ in word() }.joined(separator: " ")
            }
            return SearchDocument(id: "g\(i)", title: rng.below(4) == 0 ? word() + " " + word() : nil, body: paragraphs)
        }
    }

    static func pow3(_ x: Double) -> Double { x * x * x }

    /// Each document's fields as terms.
    static func fields(_ docs: [SearchDocument]) -> [(id: String, fields: [[String]], all: Set<String>)] {
        docs.map { doc in
            let fields = ([doc.title, doc.author, doc.source].compactMap { $0 } + doc.body).map(Tokenizer.terms)
            return (doc.id, fields, Set(fields.joined()))
        }
    }

    /// What the index should answer, computed from the texts.
    static func bruteForce(_ docs: [(id: String, fields: [[String]], all: Set<String>)], _ query: SearchQuery) -> Set<
        String
    > {
        Set(
            docs.filter { doc in
                let fields = doc.fields
                guard query.allTerms.allSatisfy(doc.all.contains) else { return false }
                return query.phrases.allSatisfy { phrase in
                    fields.contains { terms in
                        terms.count >= phrase.count
                            && (0...(terms.count - phrase.count)).contains {
                                Array(terms[$0..<($0 + phrase.count)]) == phrase
                            }
                    }
                }
            }.map(\.id))
    }

    @Test(arguments: [1 as UInt64, 2, 3])
    func matchesBruteForce(seed: UInt64) {
        let docs = Self.corpus(1500, seed: seed)
        let (index, _) = Fixtures.index(docs)
        let tokenized = Self.fields(docs)
        var rng = Fixtures.RNG(state: seed &* 7919)
        for _ in 0..<150 {
            let n = 1 + rng.below(3)
            let words = (0..<n).map { _ in Self.vocabulary[rng.below(Self.vocabulary.count)] }
            let text = rng.below(3) == 0 ? "\"" + words.joined(separator: " ") + "\"" : words.joined(separator: " ")
            let query = SearchQuery.parse(text)
            let expected = Self.bruteForce(tokenized, query)
            let result = index.search(query, limit: 2000, fetch: { _ in nil })  // no snippets: faster
            #expect(result.total == expected.count, "\(text)")
            #expect(Set(result.hits.map(\.id)) == expected, "\(text)")
        }
    }

    @Test func cursorDecodesEveryPostingAndSkipsCorrectly() {
        var list = PostingList()
        var expected: [(UInt32, [UInt32], UInt32)] = []
        var rng = Fixtures.RNG(state: 99)
        var doc: UInt32 = 0
        for _ in 0..<1000 {
            doc += UInt32(1 + rng.below(rng.below(10) == 0 ? 100_000 : 3))
            var positions: [UInt32] = []
            var p: UInt32 = UInt32(rng.below(5))
            for _ in 0..<(1 + rng.below(rng.below(5) == 0 ? 40 : 3)) {
                positions.append(p)
                p += UInt32(1 + rng.below(rng.below(10) == 0 ? 500 : 4))
            }
            let title = UInt32(rng.below(2) == 0 ? 0 : min(positions.count, 2))
            _ = list.append(document: doc, titleCount: title, positions: positions[...])
            expected.append((doc, positions, title))
        }
        let snapshot = list.snapshot
        withExtendedLifetime(snapshot) {
            // Sequential.
            var cursor = PostingCursor(snapshot)
            var out: [UInt32] = []
            for (d, positions, title) in expected {
                let moved = cursor.next()
                #expect(moved)
                #expect(cursor.document == d)
                #expect(cursor.tf == UInt32(positions.count) + 2 * title)
                cursor.positions(into: &out)
                #expect(out == positions)
            }
            let beyond = cursor.next()
            #expect(!beyond)
            // Jumping to every 37th document, and to documents that are not there.
            var jumper = PostingCursor(snapshot)
            for k in stride(from: 5, to: expected.count, by: 37) {
                let (d, positions, _) = expected[k]
                let before = jumper.advance(to: d - 1)
                #expect(!before || expected[k - 1].0 == d - 1)
                let found = jumper.advance(to: d)
                #expect(found)
                jumper.positions(into: &out)
                #expect(out == positions)
            }
            var past = PostingCursor(snapshot)
            let pastEnd = past.advance(to: expected.last!.0 + 1)
            #expect(!pastEnd)
            #expect(past.exhausted)
        }
    }

    @Test func phraseTotalIsEstimatedForLargeCandidateSets() {
        // 3000 documents hold both words; 1000 of them as the phrase.
        let docs = (0..<3000).map { i in
            SearchDocument(id: "p\(i)", body: [i % 3 == 0 ? "Thanh Sơn về quê." : "Sơn nói với Thanh."])
        }
        let (index, fetch) = Fixtures.index(docs)
        let result = index.search(.parse("\"thanh son\""), limit: 50, offset: 10, fetch: fetch)
        #expect(abs(result.total - 1000) <= 150)
        #expect(result.hits.count == 50)
        #expect(result.hits.allSatisfy { Int($0.id.dropFirst())! % 3 == 0 })
        #expect(Set(result.hits.map(\.id)).count == 50)
    }
}
