import InboxCore
import Testing

@testable import InboxSearch

@Suite struct QueryAndTokenizerTests {
    @Test func parsesWordsAndQuotedPhrases() {
        let q = SearchQuery.parse("Đặng \"Bộ Ngoại giao\" hợp tác “thanh sơn”")
        #expect(q.words == ["dang", "hop", "tac"])
        #expect(q.phrases == [["bo", "ngoai", "giao"], ["thanh", "son"]])
        #expect(!q.isEmpty)
    }

    @Test func oneWordPhraseIsAWordAndUnclosedQuoteRunsToTheEnd() {
        #expect(SearchQuery.parse("\"bão\" lũ") == SearchQuery(words: ["bao", "lu"]))
        #expect(SearchQuery.parse("lũ \"miền trung") == SearchQuery(words: ["lu"], phrases: [["mien", "trung"]]))
        #expect(SearchQuery.parse("bão bão BÃO") == SearchQuery(words: ["bao"]))
    }

    @Test func emptyQueries() {
        #expect(SearchQuery.parse("").isEmpty)
        #expect(SearchQuery.parse(" \"\" ,; — ").isEmpty)
    }

    @Test func splitsOnAnythingButLettersAndDigits() {
        #expect(
            Tokenizer.terms("Ngày 25/3, Việt-Mỹ (VOA) đạt 1.000 tỷ") == [
                "ngay", "25", "3", "viet", "my", "voa", "dat", "1", "000", "ty",
            ])
        #expect(Tokenizer.terms("ĐẶNG Hoàng Giang") == ["dang", "hoang", "giang"])
        #expect(Tokenizer.terms("“chiến lược” và “toàn diện”…") == ["chien", "luoc", "va", "toan", "dien"])
    }

    /// The table-driven fast path must give exactly the terms of `Normalizer.searchKey`.
    @Test(arguments: [
        "Hòa bình, hoà bình; khỏe/khoẻ – thủy thuỷ QUÝ",
        "e\u{0301}\u{0302} NFD: Bo\u{0302}\u{0323} tru\u{031B}o\u{031B}\u{0309}ng",
        "zero\u{200B}width jo\u{200D}in\u{FEFF}ed", "Ðà Nẵng ð", "naïve café Ærø straße Œuvre ǅemal",
        "Ελληνικά και русский 中文 日本語", "tab\tnbsp\u{00A0}nnbsp\u{202F}line\u{2028}end", "x²³ ½ Ⅻ ①",
        "emoji 📞 ok", "İstanbul ŉ ǰ",
    ])
    func fastPathMatchesSearchKey(text: String) {
        var reference = TermList()
        Tokenizer.appendTerms(ofKey: Normalizer.searchKey(text), to: &reference)
        #expect(Tokenizer.terms(text) == reference.strings)
    }

    @Test func fastPathMatchesSearchKeyOnSeeds() {
        for doc in Fixtures.seeds {
            for line in doc.body {
                var reference = TermList()
                Tokenizer.appendTerms(ofKey: Normalizer.searchKey(line), to: &reference)
                #expect(Tokenizer.terms(line) == reference.strings, "\(doc.id): \(line)")
            }
        }
    }

    @Test func termTableFindsWhatItStored() {
        var table = TermTable()
        var ids: [String: UInt32] = [:]
        for i in 0..<5000 {
            let key = Array("term\(i % 1700)".utf8)
            let (id, inserted) = key.withUnsafeBufferPointer { table.insert($0, hash: TermTable.hash($0)) }
            if let known = ids["term\(i % 1700)"] {
                #expect(!inserted && id == known)
            } else {
                #expect(inserted && id == UInt32(ids.count))
                ids["term\(i % 1700)"] = id
            }
        }
        #expect(table.count == 1700)
        for (key, id) in ids { #expect(table.find(Array(key.utf8)) == id) }
        #expect(table.find(Array("absent".utf8)) == nil)
    }
}
