import Foundation
import InboxSearch

/// Test documents: the seed articles (lines as body paragraphs) and small hand-made ones.
enum Fixtures {
    /// The repository's `seeds/` folder (this file is `Tests/InboxSearchTests/Fixtures.swift`;
    /// symlinks resolved, so it also works from a scratch package that links the sources).
    static let seedsDirectory = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("seeds")

    /// Each seed file as a document: id = file name without extension, body = its non-blank lines.
    static let seeds: [SearchDocument] = {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: seedsDirectory.path)) ?? [])
            .filter { $0.hasSuffix(".txt") }.sorted()
        return names.compactMap { name in
            guard let text = try? String(contentsOf: seedsDirectory.appendingPathComponent(name), encoding: .utf8)
            else { return nil }
            let lines = text.split(whereSeparator: \.isNewline).map(String.init)
                .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            return SearchDocument(id: String(name.dropLast(4)), body: lines)
        }
    }()

    static func seedIndex() -> SearchIndex {
        let index = SearchIndex()
        for d in seeds { index.add(d) }
        return index
    }

    /// A `fetch` over a fixed set of documents.
    static func fetcher(_ documents: [SearchDocument]) -> (String) -> SearchDocument? {
        let byID = Dictionary(documents.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        return { byID[$0] }
    }

    /// An index over `documents` and a `fetch` for them.
    static func index(_ documents: [SearchDocument]) -> (SearchIndex, (String) -> SearchDocument?) {
        let index = SearchIndex()
        for d in documents { index.add(d) }
        return (index, fetcher(documents))
    }

    /// Small deterministic PRNG (SplitMix64) for generated corpora.
    struct RNG {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }
}
