import Foundation
import InboxSearch
import Testing

@Suite struct SearchIndexTests {
    let fetch = Fixtures.fetcher(Fixtures.seeds)

    @Test func seedsAreAvailable() {
        #expect(Fixtures.seeds.count == 5)
    }

    @Test func findsUnaccentedWordsInAccentedText() {
        let index = Fixtures.seedIndex()
        let expected = Set(Fixtures.seeds.filter { $0.body.joined().lowercased().contains("bộ trưởng") }.map(\.id))
        #expect(!expected.isEmpty)
        let result = index.search(.parse("bo truong"), limit: 10, fetch: fetch)
        #expect(expected.isSubset(of: Set(result.hits.map(\.id))))
        #expect(result.total == result.hits.count)
    }

    @Test func findsNameWithoutDiacriticsOrCapitals() {
        let index = Fixtures.seedIndex()
        let result = index.search(.parse("dang hoang giang"), limit: 10, fetch: fetch)
        #expect(result.hits.first?.id.hasPrefix("004_") == true)
        #expect(result.hits.contains { $0.id.hasPrefix("004_") })
    }

    @Test(arguments: ["hoa binh", "hòa bình", "hoà bình", "HOÀ BÌNH"])
    func toneMarkPlacementDoesNotMatter(query: String) {
        let docs = [
            SearchDocument(id: "old", body: ["Vì hòa bình và hợp tác."]),
            SearchDocument(id: "new", body: ["Vì hoà bình và hợp tác."]),
            SearchDocument(id: "other", body: ["Hoa nở ở Bình Dương."]),
        ]
        let (index, fetch) = Fixtures.index(docs)
        let result = index.search(.parse(query), limit: 10, fetch: fetch)
        #expect(Set(result.hits.map(\.id)).isSuperset(of: ["old", "new"]))
        let phrase = index.search(.parse("\"\(query)\""), limit: 10, fetch: fetch)
        #expect(Set(phrase.hits.map(\.id)) == ["old", "new"])
    }

    @Test func requiresEveryWord() {
        let index = Fixtures.seedIndex()
        #expect(index.search(.parse("bo truong"), limit: 10, fetch: fetch).total > 0)
        let result = index.search(.parse("bo truong khongcotu"), limit: 10, fetch: fetch)
        #expect(result.total == 0)
        #expect(result.hits.isEmpty)
        // Every word present, but never in the same document.
        let (small, smallFetch) = Fixtures.index([
            SearchDocument(id: "a", body: ["mưa"]), SearchDocument(id: "b", body: ["nắng"]),
        ])
        #expect(small.search(.parse("mua nang"), limit: 10, fetch: smallFetch).total == 0)
    }

    @Test func quotedPhraseMatchesOnlyConsecutiveWords() {
        let docs = [
            SearchDocument(id: "together", body: ["Bộ trưởng Bùi Thanh Sơn tới Mỹ."]),
            SearchDocument(id: "apart", body: ["Ông Thanh đến từ Sơn La."]),
            SearchDocument(id: "reversed", body: ["Sơn Thanh là tên một quán."]),
        ]
        let (index, fetch) = Fixtures.index(docs)
        #expect(
            Set(index.search(.parse("thanh son"), limit: 10, fetch: fetch).hits.map(\.id)) == [
                "together", "apart", "reversed",
            ])
        let phrase = index.search(.parse("\"thanh son\""), limit: 10, fetch: fetch)
        #expect(phrase.hits.map(\.id) == ["together"])
        #expect(phrase.total == 1)
        #expect(index.search(.parse("\"bui thanh son toi my\""), limit: 10, fetch: fetch).total == 1)
        #expect(index.search(.parse("\"son thanh\" quan"), limit: 10, fetch: fetch).hits.map(\.id) == ["reversed"])
    }

    @Test func quotedPhraseMatchesInSeeds() {
        let index = Fixtures.seedIndex()
        let result = index.search(.parse("\"bo ngoai giao\""), limit: 10, fetch: fetch)
        let expected = Fixtures.seeds.filter { $0.body.joined(separator: "\n").lowercased().contains("bộ ngoại giao") }
        #expect(Set(result.hits.map(\.id)) == Set(expected.map(\.id)))
        #expect(result.total == expected.count)
    }

    @Test func phraseDoesNotSpanParagraphsOrFields() {
        let docs = [
            SearchDocument(id: "split", title: "Gặp ông Thanh", body: ["Sơn La đẹp.", "Ông Thanh", "Sơn nói."]),
            SearchDocument(id: "inTitle", title: "Thanh Sơn phát biểu", body: ["Nội dung."]),
        ]
        let (index, fetch) = Fixtures.index(docs)
        #expect(index.search(.parse("\"thanh son\""), limit: 10, fetch: fetch).hits.map(\.id) == ["inTitle"])
    }

    @Test func ranksTitleAndRepeatedMatchesFirst() {
        let docs = [
            SearchDocument(
                id: "once", title: "Tin thời sự", body: ["Hôm nay có bão ở miền Trung và nhiều tin khác nữa."]),
            SearchDocument(
                id: "many", title: "Bão số 3 đổ bộ", body: ["Bão mạnh.", "Bão gây mưa lớn, bão làm đổ cây."]),
            SearchDocument(id: "none", title: "Thể thao", body: ["Bóng đá."]),
        ]
        let (index, fetch) = Fixtures.index(docs)
        let result = index.search(.parse("bao"), limit: 10, fetch: fetch)
        #expect(result.hits.map(\.id) == ["many", "once"])
        #expect(result.hits[0].score > result.hits[1].score)
        // A title match alone outranks the same single match in the body.
        let (titled, titledFetch) = Fixtures.index([
            SearchDocument(id: "body", title: "Tin ngắn", body: ["Một cơn bão nhỏ đi qua đây hôm qua."]),
            SearchDocument(id: "title", title: "Cơn bão nhỏ", body: ["Một cơn gió nhỏ đi qua đây hôm qua."]),
        ])
        #expect(titled.search(.parse("bao"), limit: 10, fetch: titledFetch).hits.first?.id == "title")
    }

    @Test func searchesAuthorAndSource() {
        let docs = [
            SearchDocument(id: "a", title: "Tin", author: "Phương Hằng", source: "VOA Tiếng Việt", body: ["Nội dung."])
        ]
        let (index, fetch) = Fixtures.index(docs)
        #expect(index.search(.parse("phuong hang"), limit: 10, fetch: fetch).total == 1)
        #expect(index.search(.parse("voa tieng viet"), limit: 10, fetch: fetch).total == 1)
    }

    @Test func snippetShowsMatchedOriginalWords() throws {
        let index = Fixtures.seedIndex()
        let result = index.search(.parse("bo truong"), limit: 10, fetch: fetch)
        let hit = try #require(result.hits.first)
        #expect(hit.snippet.contains("«Bộ»") || hit.snippet.contains("«bộ»"), "\(hit.snippet)")
        #expect(hit.snippet.contains("«trưởng»"))
        let visible = hit.snippet.replacingOccurrences(of: "«", with: "").replacingOccurrences(of: "»", with: "")
        #expect(visible.unicodeScalars.count <= 162)
        let name = index.search(.parse("dang hoang giang"), limit: 1, fetch: fetch)
        #expect(name.hits.first?.snippet.contains("«Đặng» «Hoàng» «Giang»") == true)
    }

    @Test func snippetCutsLongParagraphAroundTheMatch() throws {
        let filler = Array(repeating: "Một câu dài không liên quan gì đến chủ đề chính.", count: 12).joined(
            separator: " ")
        let doc = SearchDocument(
            id: "long", title: "Tiêu đề",
            body: ["Đoạn đầu.", filler + " Hội nghị thượng đỉnh diễn ra ở Hà Nội. " + filler])
        let (index, fetch) = Fixtures.index([doc])
        let hit = try #require(index.search(.parse("thuong dinh"), limit: 1, fetch: fetch).hits.first)
        #expect(hit.snippet.hasPrefix("…"))
        #expect(hit.snippet.hasSuffix("…"))
        #expect(hit.snippet.contains("«thượng» «đỉnh»"))
        let visible = hit.snippet.replacingOccurrences(of: "«", with: "").replacingOccurrences(of: "»", with: "")
        #expect(visible.count <= 162)
        #expect(visible.count >= 120)
        // Cut on word boundaries: the text between the ellipses is a substring of the paragraph.
        #expect(doc.body[1].contains(String(visible.dropFirst().dropLast())))
    }

    @Test func snippetFallsBackToTitleAndIsEmptyWithoutDocument() throws {
        let doc = SearchDocument(id: "t", title: "Bão số 3", body: ["Mưa lớn kéo dài."])
        let (index, fetch) = Fixtures.index([doc])
        #expect(index.search(.parse("bao"), limit: 1, fetch: fetch).hits.first?.snippet == "«Bão» số 3")
        let missing = index.search(.parse("bao"), limit: 1, fetch: { _ in nil })
        #expect(missing.total == 1)
        #expect(missing.hits.first?.snippet == "")
    }

    @Test func reAddingSameIDIsANoOp() {
        let index = SearchIndex()
        let doc = SearchDocument(id: "x", title: "Bão", body: ["Bão lớn."])
        index.add(doc)
        let memory = index.memoryBytes
        index.add(doc)
        index.add(SearchDocument(id: "x", title: "Khác", body: ["Hoàn toàn khác."]))
        #expect(index.documentCount == 1)
        #expect(index.memoryBytes == memory)
        #expect(index.search(.parse("bao"), limit: 10, fetch: Fixtures.fetcher([doc])).total == 1)
        #expect(index.search(.parse("khac"), limit: 10, fetch: Fixtures.fetcher([doc])).total == 0)
    }

    @Test func pagesWithOffsetAndLimit() {
        let docs = (0..<30).map { i in
            SearchDocument(id: "d\(i)", body: [String(repeating: "mưa ", count: i % 7 + 1) + "số \(i)"])
        }
        let (index, fetch) = Fixtures.index(docs)
        let all = index.search(.parse("mua"), limit: 30, fetch: fetch)
        #expect(all.total == 30)
        #expect(all.hits.count == 30)
        let pages = (0..<6).flatMap { index.search(.parse("mua"), limit: 5, offset: $0 * 5, fetch: fetch).hits }
        #expect(pages == all.hits)
        #expect(index.search(.parse("mua"), limit: 5, offset: 40, fetch: fetch).hits.isEmpty)
        #expect(index.search(.parse("mua"), limit: 0, fetch: fetch) == (30, []))
        // Scores never increase down the list.
        #expect(zip(all.hits, all.hits.dropFirst()).allSatisfy { $0.score >= $1.score })
    }

    @Test func emptyQueryAndEmptyIndexFindNothing() {
        #expect(SearchIndex().search(.parse("bao"), limit: 10, fetch: { _ in nil }) == (0, []))
        let index = Fixtures.seedIndex()
        #expect(index.search(.parse("  ,, — "), limit: 10, fetch: fetch) == (0, []))
        #expect(index.search(SearchQuery(), limit: 10, fetch: fetch) == (0, []))
    }

    @Test func normalizesHandBuiltQueries() {
        let index = Fixtures.seedIndex()
        let parsed = index.search(.parse("Bộ trưởng"), limit: 10, fetch: fetch)
        let raw = index.search(SearchQuery(words: ["Bộ", "TRƯỞNG"]), limit: 10, fetch: fetch)
        #expect(parsed == raw)
        #expect(raw.total > 0)
    }

    @Test func concurrentAddsAndSearches() async {
        let index = SearchIndex()
        let writers = 4
        let perWriter = 300
        await withTaskGroup(of: Void.self) { group in
            for w in 0..<writers {
                group.addTask {
                    for i in 0..<perWriter {
                        index.add(
                            SearchDocument(
                                id: "w\(w)-\(i)", title: "Tin số \(i)",
                                body: ["Bão số \(w) đổ bộ vào miền Trung lần \(i)."]))
                        if i % 50 == 0 { index.add(SearchDocument(id: "w\(w)-0", body: ["trùng lặp"])) }
                    }
                }
            }
            for _ in 0..<3 {
                group.addTask {
                    var last = 0
                    for _ in 0..<200 {
                        let r = index.search(.parse("bao \"do bo\""), limit: 5, fetch: { _ in nil })
                        // Documents only ever get added, so counts never go down.
                        #expect(r.total >= last)
                        #expect(r.hits.count == min(5, r.total))
                        last = r.total
                        _ = index.memoryBytes
                    }
                }
            }
        }
        #expect(index.documentCount == writers * perWriter)
        #expect(index.search(.parse("bao mien trung"), limit: 1, fetch: { _ in nil }).total == writers * perWriter)
        #expect(index.search(.parse("trung lap"), limit: 1, fetch: { _ in nil }).total == 0)
    }

    /// A restart's load and the articles released meanwhile can hand the index the same article.
    @Test func anIdAlreadyIndexedIsNotAddedAgain() {
        let index = SearchIndex()
        index.add(SearchDocument(id: "a", body: ["Bản gốc về hòa bình."]))
        index.add(SearchDocument(id: "a", body: ["Bản khác về chiến tranh."]))
        index.add(SearchDocument(id: "a", body: ["Bản thứ ba về kinh tế."]))
        #expect(index.documentCount == 1)
        #expect(index.search(.parse("hoa binh"), limit: 5, fetch: { _ in nil }).total == 1)
        #expect(index.search(.parse("chien tranh"), limit: 5, fetch: { _ in nil }).total == 0)
        #expect(index.search(.parse("kinh te"), limit: 5, fetch: { _ in nil }).total == 0)
    }
}
