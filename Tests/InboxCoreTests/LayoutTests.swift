import Testing
@testable import InboxCore

/// Layouts of other outlets and odd shapes, built inline.
@Suite("Article layouts")
struct LayoutTests {
    static let paragraph1 = "Ngày 25/3, Bộ trưởng Ngoại giao Bùi Thanh Sơn và Ngoại trưởng Mỹ Antony Blinken đồng chủ trì đối thoại."
    static let paragraph2 = "Hai bên nhất trí tiếp tục thúc đẩy hợp tác trên nhiều lĩnh vực, trong đó có kinh tế và giáo dục."

    func parse(_ lines: [String]) -> Article { ArticleParser.parse(lines.joined(separator: "\n")) }

    @Test func readsVnExpressStyleDateAboveTitleAndAuthorBelow() {
        let a = parse(["Thứ ba, 26/3/2024, 21:15 (GMT+7)", "", "Bộ trưởng Sơn gặp Ngoại trưởng Blinken", "",
                       Self.paragraph1, "", Self.paragraph2, "", "Minh Anh"])
        #expect(a.title == "Bộ trưởng Sơn gặp Ngoại trưởng Blinken")
        #expect(a.published == "2024-03-26T21:15:00+07:00")
        #expect(a.author == "Minh Anh")
        #expect(a.body == [Self.paragraph1, Self.paragraph2])
        #expect(a.language == "vi")
    }

    @Test(arguments: [
        ("Thứ Hai, 25/03/2024 07:00 (GMT+7)", "2024-03-25T07:00:00+07:00"),
        ("25/03/2024 08:15 GMT+7", "2024-03-25T08:15:00+07:00"),
        ("25/03/2024 | 08:15", "2024-03-25T08:15:00+07:00"),
        ("Monday, 25 March 2024", "2024-03-25"),
        ("March 25, 2024", "2024-03-25"),
    ])
    func readsDateLineUnderTitle(line: String, iso: String) {
        let a = parse(["Tiêu đề bài báo về đối thoại", line, Self.paragraph1])
        #expect(a.published == iso)
        #expect(a.body == [Self.paragraph1])
    }

    @Test func keepsDatelineParagraphsInBodyAndDatedTitlesAsTitles() {
        let a = parse(["Ngày 5/3: Đối thoại Kinh tế Việt-Mỹ lần thứ ba diễn ra tại Hà Nội", Self.paragraph1])
        #expect(a.title == "Ngày 5/3: Đối thoại Kinh tế Việt-Mỹ lần thứ ba diễn ra tại Hà Nội")
        #expect(a.body == [Self.paragraph1])
        #expect(a.published == nil)
    }

    @Test func leavesUnknownYearUnpublished() {
        let a = parse(["Tiêu đề bài báo", "Ngày 25/3", Self.paragraph1])
        #expect(a.published == nil)
        #expect(a.body == [Self.paragraph1])
    }

    @Test func readsEnglishWireCopy() {
        let lead = "WASHINGTON, March 25 (Reuters) - U.S. Secretary of State Antony Blinken met his Vietnamese counterpart on Monday, the State Department said."
        let a = parse(["U.S., Vietnam hold first ministerial dialogue", "By Jane Doe", "", lead, "",
                       "The two sides discussed trade, technology and security in the region."])
        #expect(a.title == "U.S., Vietnam hold first ministerial dialogue")
        #expect(a.author == "Jane Doe")
        #expect(a.source == "Reuters")
        #expect(a.published == nil)
        #expect(a.body.first == lead)
        #expect(a.language == "en")
    }

    @Test func readsTitleEndingInAbbreviation() {
        let a = parse(["Ngày 18/12: Đối thoại Chính trị-An ninh lần thứ 14 diễn ra tại Washington D.C.", Self.paragraph1])
        #expect(a.title == "Ngày 18/12: Đối thoại Chính trị-An ninh lần thứ 14 diễn ra tại Washington D.C.")
        #expect(!a.titleDerived)
    }

    @Test(arguments: [
        ("Nguồn: TTXVN", "TTXVN"), ("Nguồn QĐND", "QĐND"), ("Theo VOA Tiếng Việt", "VOA Tiếng Việt"),
        ("(Theo AFP)", "AFP"), ("Nguồn: Báo Quốc tế", "Báo Quốc tế"),
    ])
    func readsFooterSource(footer: String, source: String) {
        let a = parse(["Tiêu đề bài báo", Self.paragraph1, Self.paragraph2, footer])
        #expect(a.source == source)
        #expect(a.body == [Self.paragraph1, Self.paragraph2])
    }

    @Test func dropsBlogChromeAndCreditLines() {
        let a = parse(["Tiêu đề bài báo", Self.paragraph1, "(thực hiện)", "Nguồn ảnh: Reuters", "3 comments:",
                       "Labels: ngoại giao, Mỹ", "Newer Post Older Post Home", "Post a Comment", "View My Stats"])
        #expect(a.body == [Self.paragraph1])
        #expect(a.source == nil)
    }

    @Test func readsCaptionsInTheirShapes() {
        let a = parse(["Tiêu đề bài báo", Self.paragraph1,
                       "Hai bộ trưởng bắt tay tại Hà Nội. (Ảnh: Nguyễn Hồng)",
                       "Hai bộ trưởng tại buổi hội đàm. Ảnh: TTXVN |",
                       "Toàn cảnh buổi đối thoại.(Nguồn: Reuters) |",
                       "Quang cảnh cuộc gặp. Ảnh: TTXVN",
                       "https://example.com/anh/hoi-dam.webp?w=800",
                       "Hai đoàn tại bàn đàm phán ở Washington hôm thứ Hai.",
                       Self.paragraph2])
        #expect(a.captions.count == 5)
        #expect(a.images == ["https://example.com/anh/hoi-dam.webp?w=800"])
        #expect(a.body == [Self.paragraph1, Self.paragraph2])
    }

    @Test func keepsAllCapsTitleWhenNothingBetterFollows() {
        let a = parse(["HAI NGOẠI TRƯỞNG CHỦ TRÌ ĐỐI THOẠI", Self.paragraph1])
        #expect(a.title == "HAI NGOẠI TRƯỞNG CHỦ TRÌ ĐỐI THOẠI")
        #expect(a.body == [Self.paragraph1])
    }

    @Test func degradesToAllBodyOnUnknownLayout() {
        let lines = ["dòng một không rõ là gì.", "dòng hai, cũng không rõ,", "dòng ba!", "và dòng bốn;"]
        let a = parse(lines)
        #expect(a.body == lines)
        #expect(a.titleDerived)
        #expect(a.title == "dòng một không rõ là gì")
    }

    @Test func keepsTitleOnlyFile() {
        let a = ArticleParser.parse("Chỉ có tiêu đề\n")
        #expect(a.title == "Chỉ có tiêu đề")
        #expect(a.body.isEmpty)
        #expect(a.wordCount == 0)
    }

    @Test func classifiesJunkAndNBSPOnlyLines() {
        let a = ArticleParser.parse("📞\n\u{00A0}\n***\nTiêu đề bài báo\n\u{00A0}\n" + Self.paragraph1)
        #expect(a.title == "Tiêu đề bài báo")
        #expect(a.body == [Self.paragraph1])
    }

    @Test func detectsUndeterminedLanguage() {
        #expect(ArticleParser.parse("Titre\nLe président a rencontré son homologue à Paris.").language == "und")
        #expect(ArticleParser.parse("Title\nThe minister met his counterpart in the capital on Monday.").language == "en")
    }

    @Test func countsWords() {
        let a = parse(["Tiêu đề", "một  hai\u{00A0}ba", "bốn năm."])
        #expect(a.wordCount == 5)
    }
}
