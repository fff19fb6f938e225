import Foundation
import Testing

@testable import InboxStore

/// The fast start-up scanner may decline any line, but whatever it accepts must be what JSONDecoder reads.
@Suite("Line scanner")
struct LineScannerTests {
    private func fast(_ line: String) -> ScannedLine? { fast(Array(line.utf8)) }

    private func fast(_ bytes: [UInt8]) -> ScannedLine? {
        bytes.withUnsafeBytes { FastLineScanner.scan($0) }
    }

    private func slow(_ bytes: [UInt8]) -> ScannedLine? {
        (try? bytes.withUnsafeBytes { try LogLine.decode($0, skipBody: true) }).map(ScannedLine.init)
    }

    /// Fast agrees with slow whenever it answers.
    private func checkSound(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
        if let answer = fast(bytes) {
            #expect(slow(bytes) == answer, "\(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
        }
        if let text = fastText(bytes) {
            #expect(slowText(bytes) == text, "\(String(decoding: bytes, as: UTF8.self))", sourceLocation: sourceLocation)
        }
    }

    private func articleLine(_ n: Int = 1) -> [UInt8] {
        var line: [UInt8] = []
        JSONLine.appendArticle(
            ArticleRecord(draft: draft(n), id: String(fakeHash(n).prefix(16)), seq: UInt64(n),
                contentHash: fakeHash(n), rawHash: fakeHash(n, salt: 0xFF)),
            to: &line)
        return line
    }

    @Test func acceptsWhatTheWriterWrites() throws {
        let article = articleLine()
        let answer = try #require(fast(article))
        #expect(slow(article) == answer)
        guard case .article(let scanned) = answer else { Issue.record("not an article"); return }
        #expect(scanned.seq == 1 && scanned.sourceFile == "article-1.txt" && scanned.contentHash == fakeHash(1))

        var line: [UInt8] = []
        JSONLine.appendSighting(articleID: "0123456789abcdef", sighting(1), to: &line)
        #expect(fast(line) != nil)
        #expect(fast(line) == slow(line))
    }

    @Test func declinesOrAgreesOnTrickyLines() {
        let hash = fakeHash(1)
        let base = String(decoding: articleLine(), as: UTF8.self)
        let lines = [
            base.replacingOccurrences(of: #""source_file":"article-1.txt""#, with: #""source_file":"a\"b.txt""#),
            base.replacingOccurrences(of: #""seq":1"#, with: #""seq":1.0"#),
            base.replacingOccurrences(of: #""seq":1"#, with: #""seq":01"#),
            base.replacingOccurrences(of: #""seq":1"#, with: #""seq":-1"#),
            base.replacingOccurrences(of: #""seq":1"#, with: #""seq":"1""#),
            base.replacingOccurrences(of: #""seq":1,"#, with: ""),
            base.replacingOccurrences(of: #""body":["#, with: #""body":[1,"#),
            base.replacingOccurrences(of: #""title":"#, with: #""extra":{"a":[1,2.5e3,true,null,"x"]},"title":"#),
            base.replacingOccurrences(of: #""title":"#, with: #""title":"\ud800","t":"#),
            base.replacingOccurrences(of: #""title":"#, with: #""duplicates":[],"title":"#),
            base.replacingOccurrences(of: #""id":"#, with: #""id":"x","id":"#),
            base.replacingOccurrences(of: "}\n", with: "} x\n"),
            base.replacingOccurrences(of: "Bài", with: "B\u{1}i"),
            #"{"type":"sighting","article_id":"a","file":"f","at":"t","kind":"fuzzy","raw_hash":"\#(hash)","stored_as":"s"}"#,
            #"{"type":"sighting","article_id":"a","file":"f","at":"t","kind":"exact","raw_hash":"\#(hash)"}"#,
            #"{"type":"tombstone","seq":3}"#,
            #"{}"#, "", "   ", "\u{0}\u{0}", #"{"type":"article""#, #"["type"]"#,
        ]
        for line in lines { checkSound(Array(line.utf8)) }
        #expect(fast(lines[0]) == nil)  // escaped key field: declined
        #expect(fast(lines[7]) != nil)  // unknown nested fields are fine
        #expect(fast(lines[12]) == nil)  // raw control character
    }

    @Test func rejectsInvalidUTF8() {
        let base = articleLine()
        let at = base.firstIndex(of: UInt8(ascii: "B"))!  // in the title
        for bad: [UInt8] in [[0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF5, 0x80, 0x80, 0x80], [0xE1, 0x80], [0x80], [0xFF]] {
            var line = base
            line.replaceSubrange(at..<at + 1, with: bad)
            #expect(fast(line) == nil)
            // JSONDecoder checks UTF-8 only in the strings it decodes: the line becomes unreadable (kept, ignored).
            guard case .unreadable = slow(line) else {
                Issue.record("JSONDecoder accepted invalid UTF-8 \(bad)")
                continue
            }
        }
    }

    private func fastText(_ bytes: [UInt8]) -> ArticleText? {
        bytes.withUnsafeBytes { FastLineScanner.articleText($0) }
    }

    private func slowText(_ bytes: [UInt8]) -> ArticleText? {
        guard case .article(let record)? = try? bytes.withUnsafeBytes({ try LogLine.decode($0, skipBody: false) }) else {
            return nil
        }
        return ArticleText(record)
    }

    /// Search reads titles and bodies with the fast scanner: escapes are decoded, and the answer is
    /// JSONDecoder's whenever there is one.
    @Test func readsArticleTextAsJSONDecoderDoes() throws {
        let body = ["Đoạn \"một\" với \\ và \t tab", "dòng\nmới \u{1} \u{1F600} / cuối", ""]
        var line: [UInt8] = []
        JSONLine.appendArticle(
            ArticleRecord(draft: draft(3, body: body), id: String(fakeHash(3).prefix(16)), seq: 3,
                contentHash: fakeHash(3), rawHash: fakeHash(3, salt: 0xFF)),
            to: &line)
        let text = try #require(fastText(line))
        #expect(text == slowText(line))
        #expect(text.body == body && text.author == nil && text.title == "Bài 3: Đối thoại cấp Bộ trưởng")

        let base = String(decoding: articleLine(5), as: UTF8.self)
        let variants = [
            base.replacingOccurrences(of: #""title":"Bài 5"#, with: #""title":"\u0042\u00e0i \/ \"5\"\\\b\f\r"#),
            base.replacingOccurrences(of: #""author":"Phương Hằng""#, with: #""author":null"#),
            base.replacingOccurrences(of: #""source":"baoquocte.vn","#, with: ""),
            base.replacingOccurrences(of: #""body":["#, with: #""body":["\ud83d\ude00","#),
            base.replacingOccurrences(of: #""title":"#, with: #""duplicates":[],"title":"#),
            base.replacingOccurrences(of: #""title":"#, with: #""title":"a","title":"#),
            base.replacingOccurrences(of: #""body":["#, with: #""body":[null,"#),
        ]
        for variant in variants {
            let bytes = Array(variant.utf8)
            if let answer = fastText(bytes) { #expect(answer == slowText(bytes), "\(variant)") }
        }
        #expect(fastText(Array(variants[0].utf8))?.title == "Bài / \"5\"\\\u{8}\u{C}\r: Đối thoại cấp Bộ trưởng")
        #expect(fastText(Array(variants[1].utf8)).map { $0.author == nil } == true)
        #expect(fastText(Array(variants[2].utf8)).map { $0.source == nil } == true)
        #expect(fastText(Array(variants[3].utf8)) == nil)  // a surrogate pair: left to JSONDecoder
        var sightingLine: [UInt8] = []
        JSONLine.appendSighting(articleID: "0123456789abcdef", sighting(1), to: &sightingLine)
        #expect(fastText(sightingLine) == nil)
    }

    @Test func neverDisagreesOnDamagedLines() {
        var generator = SystemRandomNumberGenerator()
        let base = articleLine(7)
        for _ in 0..<3_000 {
            var line = base
            for _ in 0..<Int.random(in: 1...3, using: &generator) {
                let i = Int.random(in: 0..<line.count, using: &generator)
                switch Int.random(in: 0..<3, using: &generator) {
                case 0: line[i] = UInt8.random(in: 0...255, using: &generator)
                case 1: line.remove(at: i)
                default: line.insert(UInt8(ascii: [",", "\"", "\\", "}", "0"].randomElement(using: &generator)!), at: i)
                }
            }
            checkSound(line)
        }
    }
}
