import Foundation
import Testing
import InboxCore

/// Generates a corpus with the vendored reference generator and checks the pipeline against its
/// ground truth. Needs python3; the article count comes from `INBOXD_CORPUS_ARTICLES` (1000),
/// the generator seed from `INBOXD_CORPUS_SEED` (1).
@Suite("Generated corpus", .serialized)
struct CorpusCheckTests {
    static var python: String? {
        for p in ["/usr/bin/python3", "/usr/local/bin/python3"] where FileManager.default.isExecutableFile(atPath: p) {
            return p
        }
        let env = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in env.split(separator: ":") {
            let p = "\(dir)/python3"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    static var articles: Int {
        Int(ProcessInfo.processInfo.environment["INBOXD_CORPUS_ARTICLES"] ?? "") ?? 1000
    }

    /// Generator seed, `INBOXD_CORPUS_SEED` (1, the generator's default).
    static var seed: Int {
        Int(ProcessInfo.processInfo.environment["INBOXD_CORPUS_SEED"] ?? "") ?? 1
    }

    struct Report: CustomStringConvertible {
        var files = 0, bytes = 0
        var falseMerges = 0, missedDups = 0, titleMismatches = 0, titleExactMismatches = 0, titleExactNonTone = 0
        var derivedTitles = 0, unexpectedRejections = 0
        var badResults: [String: String] = [:]
        var badFailures: [String] = []
        var description: String {
            "files=\(files) bytes=\(bytes) false_merges=\(falseMerges) missed_dups=\(missedDups) "
                + "title_mismatches=\(titleMismatches) (exact, tone style kept: \(titleExactMismatches), "
                + "of which not a tone variant: \(titleExactNonTone)) "
                + "derived=\(derivedTitles) unexpected_rejections=\(unexpectedRejections) "
                + "bad=\(badResults.sorted { $0.key < $1.key }.map { "\($0.value)" }.joined(separator: ","))"
        }
    }

    @Test(.enabled(if: python != nil, "needs python3"), .timeLimit(.minutes(30)))
    func matchesGeneratorGroundTruth() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("inboxcore-corpus-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Self.python))
        process.arguments = [
            Fixtures.corpusScripts.appendingPathComponent("make_corpus.py").path, dir.path,
            "--articles", String(Self.articles), "--seed", String(Self.seed), "--bad", "10",
            "--seeds-dir", Fixtures.seedsDir.path,
        ]
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "make_corpus.py failed")

        let manifestData = try Data(contentsOf: dir.appendingPathComponent("manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: manifestData) as? [String: Any])
        let files = try #require(manifest["files"] as? [String: [String: Any]])
        let bad = try #require(manifest["bad"] as? [String: [String: Any]])

        var report = Report()
        var hashOf: [String: ContentHash] = [:]
        for name in files.keys.sorted() {
            let entry = files[name]!
            let bytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent("files").appendingPathComponent(name)))
            report.files += 1
            report.bytes += bytes.count
            do {
                let p = try ArticlePipeline.process(bytes)
                hashOf[name] = p.contentHash
                checkTitle(p.article, manifestTitle: entry["title"] as? String ?? "", report: &report,
                           toneVariant: ((entry["variant"] ?? entry["of_variant"]) as? String ?? "").contains("tone"))
            } catch {
                report.unexpectedRejections += 1
                Issue.record("\(name) rejected: \(error)")
            }
        }
        // Every duplicate has its group root's hash; every group has its own hash.
        var groupsByHash: [ContentHash: Set<String>] = [:]
        for (name, entry) in files {
            guard let group = entry["group"] as? String, let h = hashOf[name] else { continue }
            groupsByHash[h, default: []].insert(group)
            if name != group, h != hashOf[group] {
                report.missedDups += 1
                Issue.record("missed \(entry["kind"] ?? "") \(name) (\(entry["variant"] ?? "")) of \(group)")
            }
        }
        for (h, groups) in groupsByHash where groups.count > 1 {
            report.falseMerges += groups.count - 1
            Issue.record("false merge \(h): \(groups.sorted())")
        }

        let expected: [String: String] = [
            "empty": "empty", "binary": "binary", "invalid_utf8": "undecodable",
            "whitespace_only": "whitespace_only", "nul_inside": "binary", "huge_20mb": "too_large",
        ]
        for (name, entry) in bad {
            let type = entry["bad"] as? String ?? "?"
            let bytes = try [UInt8](Data(contentsOf: dir.appendingPathComponent("bad").appendingPathComponent(name)))
            var outcome: String
            do {
                let p = try ArticlePipeline.process(bytes)
                outcome = "accepted"
                checkTitle(p.article, manifestTitle: entry["title"] as? String ?? "", report: &report, toneVariant: false)
                if groupsByHash[p.contentHash] != nil { report.falseMerges += 1 }
            } catch {
                outcome = error.code
            }
            report.badResults[name] = "\(type)=\(outcome)"
            let want = expected[type] ?? "accepted"
            if outcome != want { report.badFailures.append("\(type): \(outcome), want \(want)") }
        }
        print("corpus check (\(Self.articles) articles, seed \(Self.seed)): \(report)")
        #expect(report.falseMerges == 0)
        #expect(report.missedDups == 0)
        #expect(report.titleMismatches == 0)
        #expect(report.titleExactNonTone == 0)
        #expect(report.unexpectedRejections == 0)
        #expect(report.badFailures.isEmpty, "\(report.badFailures)")
        #expect(Set(hashOf.values).count == manifest["expected_distinct"] as? Int)
    }

    /// Titles are compared in canonical form (a `tone` variant rewrites the title's tone
    /// style too); exact (NFC, whitespace-collapsed) differences are counted separately.
    private func checkTitle(_ a: Article, manifestTitle: String, report: inout Report, toneVariant: Bool) {
        if a.titleDerived { report.derivedTitles += 1 }
        let ours = a.title ?? ""
        if a.titleDerived || Normalizer.canonicalLine(ours) != Normalizer.canonicalLine(manifestTitle) {
            report.titleMismatches += 1
            Issue.record("title \(ours.debugDescription) != \(manifestTitle.debugDescription)")
        }
        let exact = manifestTitle.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if !ours.unicodeScalars.elementsEqual(exact.precomposedStringWithCanonicalMapping.unicodeScalars) {
            report.titleExactMismatches += 1
            if !toneVariant { report.titleExactNonTone += 1 }
        }
    }
}
