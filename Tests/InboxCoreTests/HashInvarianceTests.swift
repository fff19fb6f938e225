import Foundation
import Testing
@testable import InboxCore

/// The content hash sees through encoding and formatting, and nothing else.
@Suite("Content hash")
struct HashInvarianceTests {
    static let seeds = ["000", "001", "002", "003", "004"]

    struct Variant: Sendable, CustomTestStringConvertible {
        var name: String
        /// False for reposts that add a date or credit line of their own.
        var sameMetadata = true
        var make: @Sendable (String) throws -> [UInt8]
        var testDescription: String { name }
    }

    static let variants: [Variant] = [
        Variant(name: "NFD") { Fixtures.utf8(Fixtures.nfd($0)) },
        Variant(name: "CRLF") { Fixtures.utf8(Fixtures.crlf($0)) },
        Variant(name: "UTF-8 BOM") { Fixtures.withBOM($0) },
        Variant(name: "UTF-16LE") { Fixtures.utf16($0, littleEndian: true) },
        Variant(name: "UTF-16BE") { Fixtures.utf16($0, littleEndian: false) },
        Variant(name: "Windows-1258") { try Fixtures.windows1258($0) },
        Variant(name: "new tone style") { Fixtures.utf8(ToneFolding.toNewStyle($0)) },
        Variant(name: "old tone style") { Fixtures.utf8(ToneFolding.toOldStyle($0)) },
        Variant(name: "NBSP and spaces") { Fixtures.utf8(Fixtures.padded($0)) },
        Variant(name: "Ð for Đ") { Fixtures.utf8(Fixtures.eth($0)) },
        Variant(name: "blog repost", sameMetadata: false) { Fixtures.utf8(Fixtures.repost($0)) },
        Variant(name: "footer credit", sameMetadata: false) { Fixtures.utf8($0 + "\n\nTheo VOA Tiếng Việt\n") },
        Variant(name: "zero-width") { Fixtures.utf8($0.replacingOccurrences(of: "Việt", with: "Vi\u{200B}ệt")) },
        Variant(name: "CR only") { Fixtures.utf8($0.replacingOccurrences(of: "\n", with: "\r")) },
        Variant(name: "NFD+tone+CRLF+UTF-16") {
            Fixtures.utf16(Fixtures.crlf(Fixtures.nfd(ToneFolding.toNewStyle($0))), littleEndian: true)
        },
    ]

    @Test("every variant of every seed hashes like the original", arguments: seeds, variants)
    func mergesVariantWithOriginal(seed: String, variant: Variant) throws {
        let text = try Fixtures.seedText(seed)
        let original = try ArticlePipeline.process(Fixtures.utf8(text))
        let bytes = try variant.make(text)
        let copy = try ArticlePipeline.process(bytes)
        #expect(copy.contentHash == original.contentHash)
        #expect(copy.article.body.count == original.article.body.count)
        #expect(copy.article.titleDerived == original.article.titleDerived)
        #expect(copy.article.title.map(Normalizer.canonicalLine) == original.article.title.map(Normalizer.canonicalLine))
        if variant.sameMetadata {
            #expect(copy.article.published == original.article.published)
            #expect(copy.article.source.map(Normalizer.canonicalLine) == original.article.source.map(Normalizer.canonicalLine))
            #expect(copy.article.author == original.article.author)
            #expect(copy.article.captions.count == original.article.captions.count)
        }
        if bytes != Fixtures.utf8(text) { #expect(copy.rawHash != original.rawHash) }
    }

    @Test("a changed number in one sentence changes the hash", arguments: seeds)
    func separatesOneSentenceEdit(seed: String) throws {
        let text = try Fixtures.seedText(seed)
        let original = try ArticlePipeline.process(Fixtures.utf8(text))
        let edited = try #require(Fixtures.editedNumber(text, article: original.article))
        let copy = try ArticlePipeline.process(Fixtures.utf8(edited))
        #expect(copy.contentHash != original.contentHash)
    }

    @Test("a swapped word changes the hash", arguments: seeds)
    func separatesSynonymSwap(seed: String) throws {
        let text = try Fixtures.seedText(seed)
        let original = try ArticlePipeline.process(Fixtures.utf8(text))
        let edited = text.replacingOccurrences(of: "hợp tác", with: "cộng tác")
        #expect(edited != text)
        #expect(try ArticlePipeline.process(Fixtures.utf8(edited)).contentHash != original.contentHash)
    }

    @Test func decodesWindows1258SeedBackToOriginal() throws {
        for seed in Self.seeds {
            let text = try Fixtures.seedText(seed)
            let (decoded, encoding) = try TextDecoder.decode(try Fixtures.windows1258(text))
            #expect(encoding == .windows1258)
            let expected = text.precomposedStringWithCanonicalMapping.replacingOccurrences(of: "📞", with: "?")
            #expect(Array(decoded.utf8) == Array(expected.utf8))
        }
    }

    @Test func matchesPublicHashOfArticle() throws {
        for seed in Self.seeds {
            let text = try Fixtures.seedText(seed)
            let p = try ArticlePipeline.process(Fixtures.utf8(text))
            #expect(ContentHash.of(p.article, text: text) == p.contentHash)
        }
        let titleOnly = "Chỉ có một tiêu đề"
        let p = try ArticlePipeline.process(Fixtures.utf8(titleOnly))
        #expect(ContentHash.of(p.article, text: titleOnly) == p.contentHash)
    }

    @Test func hashesBodyAsSpaceJoinedCanonicalParagraphs() throws {
        let text = "Tiêu đề bài báo\n\nĐoạn  một\u{00A0}hoà.\r\nĐoạn hai.\n"
        let p = try ArticlePipeline.process(Fixtures.utf8(text))
        #expect(p.article.body == ["Đoạn  một\u{00A0}hoà.", "Đoạn hai."])
        let expected = SHA256Hex.of("Đoạn một hòa. Đoạn hai.")
        #expect(p.contentHash.hex == expected)
        #expect(ContentHash.version == 1)
    }

    @Test func keepsTitleOnlyFilesApart() throws {
        let a = try ArticlePipeline.process(Fixtures.utf8("Tiêu đề thứ nhất"))
        let b = try ArticlePipeline.process(Fixtures.utf8("Tiêu đề thứ hai"))
        #expect(a.article.body.isEmpty)
        #expect(a.contentHash != b.contentHash)
        // The fallback is domain-separated from a body that reads the same.
        let c = try ArticlePipeline.process(Fixtures.utf8("Một tiêu đề khác\n\nTiêu đề thứ nhất."))
        let d = try ArticlePipeline.process(Fixtures.utf8("Tiêu đề thứ nhất."))
        #expect(c.article.body == ["Tiêu đề thứ nhất."])
        #expect(c.contentHash != d.contentHash || d.article.body == c.article.body)
        #expect(a.contentHash.hex == SHA256Hex.of([0] + Array("Tiêu đề thứ nhất".utf8)))
    }

    @Test func wrapsStoredHexOnlyWhenWellFormed() {
        #expect(ContentHash(hex: String(repeating: "a", count: 64)) != nil)
        #expect(ContentHash(hex: String(repeating: "A", count: 64)) == nil)
        #expect(ContentHash(hex: "abc") == nil)
    }
}
