import Testing
@testable import InboxCore

/// What each of the five real articles must parse to, read off the articles by hand.
struct SeedExpectation: Sendable, CustomTestStringConvertible {
    var seed: String
    /// Exact title, or its start when derived.
    var title: String
    var titleDerived: Bool
    var published: String?
    var author: String?
    var source: String?
    var url: String?
    var images: Int
    var captions: Int
    var firstBody: String
    var lastBody: String
    var paragraphs: Int
    var words: ClosedRange<Int>
    /// Text that must not appear in any body paragraph (boilerplate, footers, headers).
    var notInBody: [String]

    var testDescription: String { "seed \(seed)" }
}

@Suite("Seed articles")
struct SeedParsingTests {
    static let expectations: [SeedExpectation] = [
        SeedExpectation(
            seed: "000",
            title: "Đối thoại cấp Bộ trưởng Việt-Mỹ lần thứ nhất: Mở lối đi cả trước mắt và lâu dài",
            titleDerived: false, published: "2024-03-24T07:00:00+07:00", author: "Phương Hằng",
            source: nil, url: nil, images: 0, captions: 1,
            firstBody: "Chuyến công tác sắp tới của Bộ trưởng Ngoại giao",
            lastBody: "Ngoài ra, trong bối cảnh nước Mỹ đang ở trong năm bầu cử",
            paragraphs: 19, words: 1450...1600,
            notInBody: ["📞", "(thực hiện)", "Phương Hằng 07:00", "(Ảnh: Nguyễn Hồng)", "Nguyễn Quốc Dũng\n"]),
        SeedExpectation(
            seed: "001",
            title: "Sau dấu mốc tháng 9/2023, Việt Nam và Hoa Kỳ tổ chức nhiều hoạt động cụ thể",
            titleDerived: true, published: nil, author: nil, source: nil, url: nil, images: 0, captions: 1,
            firstBody: "Sau dấu mốc tháng 9/2023, Việt Nam và Hoa Kỳ",
            lastBody: "Đường lối đối ngoại độc lập, tự chủ",
            paragraphs: 9, words: 750...840, notInBody: ["(Nguồn: Reuters)"]),
        SeedExpectation(
            seed: "002",
            title: "Hai ngoại trưởng Mỹ, Việt chủ trì đối thoại cấp bộ trưởng lần thứ nhất",
            titleDerived: false, published: "2024-03-26", author: nil, source: "VOA Tiếng Việt",
            url: "https://www.voatiengviet.com/a/hai-ngoai-truong-my-viet-chu-tri-doi-thoai-cap-bo-truong-lan-thu-nhat/7542223.html",
            images: 1, captions: 1,
            firstBody: "Ngoại trưởng Hoa Kỳ Antony Blinken hôm 25/3 có cuôc gặp",
            lastBody: "Dự kiến vào trưa ngày 26/3, Ngoại trưởng Bùi Thanh Sơn",
            paragraphs: 10, words: 560...640,
            notInBody: ["No comments:", "Post a Comment", "View My Stats", "HAI NGOẠI TRƯỞNG", "Monday, 25 March",
                        "https://", "trụ sở Bộ Ngoại giao Mỹ, ngày 25/3/2024."]),
        SeedExpectation(
            seed: "003",
            title: "Nhận lời mời của Ngoại trưởng Hoa Kỳ Antony Blinken",
            titleDerived: true, published: nil, author: nil, source: "QĐND", url: nil, images: 0, captions: 2,
            firstBody: "Nhận lời mời của Ngoại trưởng Hoa Kỳ Antony Blinken",
            lastBody: "Hai bên cũng trao đổi các vấn đề khu vực",
            paragraphs: 4, words: 700...770, notInBody: ["Nguồn QĐND", "Ảnh: TTXVN"]),
        SeedExpectation(
            seed: "004",
            title: "Ngày 18/12, tại thủ đô Washington D.C., Thứ trưởng Bộ Ngoại giao Đặng Hoàng Giang",
            titleDerived: true, published: nil, author: nil, source: nil, url: nil, images: 0, captions: 0,
            firstBody: "Ngày 18/12, tại thủ đô Washington D.C., Thứ trưởng",
            lastBody: "Bên cạnh đó, đoàn công tác cũng đã gặp đại diện",
            paragraphs: 14, words: 900...960, notInBody: []),
    ]

    @Test("parses the fields read off each seed", arguments: expectations)
    func parsesSeedFields(_ e: SeedExpectation) throws {
        let processed = try ArticlePipeline.process(try Fixtures.seed(e.seed))
        let a = processed.article
        #expect(processed.encoding == .utf8)
        #expect(a.titleDerived == e.titleDerived)
        let title = try #require(a.title)
        if e.titleDerived {
            #expect(title.hasPrefix(e.title))
            #expect(title.unicodeScalars.count <= TitleDeriver.maxScalars + 1)
        } else {
            #expect(title.utf8.elementsEqual(e.title.utf8))
        }
        #expect(a.published == e.published)
        #expect(a.author == e.author)
        #expect(a.source == e.source)
        #expect(a.url == e.url)
        #expect(a.images.count == e.images)
        #expect(a.captions.count == e.captions)
        #expect(a.body.count == e.paragraphs)
        #expect(a.body.first?.hasPrefix(e.firstBody) == true)
        #expect(a.body.last?.hasPrefix(e.lastBody) == true)
        #expect(a.language == "vi")
        #expect(e.words.contains(a.wordCount), "word count \(a.wordCount)")
        let body = a.body.joined(separator: "\n") + "\n"
        for junk in e.notInBody {
            #expect(!body.contains(junk), "body contains \(junk)")
        }
        if let t = a.title, !a.titleDerived {
            #expect(!a.body.contains(t), "title repeated in body")
        }
    }

    @Test func keepsRepeatedPullQuoteOnce() throws {
        let a = ArticleParser.parse(try Fixtures.seedText("000"))
        let quote = "Có thể nói đang có một bầu không khí hồ hởi, phấn chấn"
        #expect(a.body.filter { $0.contains(quote) }.count == 1)
        #expect(!a.body.contains { $0.hasPrefix("“Có thể nói") })
    }

    @Test func readsBlogRepostHeaderOfSeed002() throws {
        let a = ArticleParser.parse(try Fixtures.seedText("002"))
        #expect(a.images == ["https://gdb.voanews.com/01000000-0aff-0242-b2d5-08dc4d10b867_cx0_cy8_cw0_w1023_r1_s.jpg"])
        #expect(a.captions.first?.hasPrefix("Ngoại trưởng Mỹ Antony Blinken đối thoại với") == true)
    }

    @Test func derivesTitleFromFirstSentenceOnWordBoundary() throws {
        let a = ArticleParser.parse(try Fixtures.seedText("003"))
        let title = try #require(a.title)
        #expect(title.hasSuffix("…"))
        #expect(!title.contains("  "))
        #expect(a.body[0].hasPrefix(String(title.dropLast())))
    }
}
