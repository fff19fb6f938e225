import Testing
@testable import InboxCore

@Suite("Date lines")
struct DateParserTests {
    static let lines: [(String, String?)] = [
        ("26/03/2024", "2024-03-26"),
        ("Thứ ba, 26/3/2024, 21:15 (GMT+7)", "2024-03-26T21:15:00+07:00"),
        ("Thứ Hai, 25/03/2024 07:00 (GMT+7)", "2024-03-25T07:00:00+07:00"),
        ("25/03/2024 08:15 GMT+7", "2024-03-25T08:15:00+07:00"),
        ("25/03/2024 | 08:15", "2024-03-25T08:15:00+07:00"),
        ("07:00 | 24/03/2024", "2024-03-24T07:00:00+07:00"),
        ("Monday, 25 March 2024", "2024-03-25"),
        ("March 25, 2024", "2024-03-25"),
        ("Mar. 25, 2024 8:15 PM", "2024-03-25"),
        ("March 25, 2024 8:15 AM GMT", "2024-03-25T08:15:00+00:00"),
        ("2024-03-25", "2024-03-25"),
        ("2024-03-25T07:00+07:00", "2024-03-25T07:00:00+07:00"),
        ("Chủ nhật, 24/3/2024 - 10:05", "2024-03-24T10:05:00+07:00"),
        ("Cập nhật: 25/03/2024 08:15", "2024-03-25T08:15:00+07:00"),
        ("Ngày 25 tháng 3 năm 2024", "2024-03-25"),
        ("25.03.2024", "2024-03-25"),
        ("Thứ 2, 25/3/2024 7h30", "2024-03-25T07:30:00+07:00"),
        ("25/03/2024 08:15 (UTC-05:00)", "2024-03-25T08:15:00-05:00"),
        ("Ngày 25/3", nil),  // a date line, but its year is unknown
        ("25/3", nil),
    ]

    @Test func parsesWholeLineDates() throws {
        for (line, iso) in Self.lines {
            let stamp = try #require(DateParser.parseLine(line), "\(line)")
            #expect(stamp.iso == iso, "\(line)")
        }
    }

    @Test func rejectsLinesThatOnlyStartWithADate() {
        for line in [
            "Ngày 25/3, Bộ trưởng Ngoại giao Bùi Thanh Sơn và Ngoại trưởng Mỹ Antony Blinken",
            "Ngày 5/3: Đối thoại Kinh tế Việt-Mỹ lần thứ ba diễn ra tại Hà Nội",
            "WASHINGTON, March 25 (Reuters) - U.S. Secretary of State",
            "31/02/2024", "25/13/2024", "2024", "12 34 56", "Phương Hằng",
        ] {
            #expect(DateParser.parseLine(line) == nil, "\(line)")
        }
    }

    @Test func readsBylines() throws {
        let b = DateParser.parseByline(canonical: "Phương Hằng 07:00 | 24/03/2024", words: ["Phương", "Hằng", "07:00", "|", "24/03/2024"])
        guard case .author(let name, let stamp)? = b else {
            Issue.record("no byline")
            return
        }
        #expect(name == "Phương Hằng")
        #expect(stamp.iso == "2024-03-24T07:00:00+07:00")
        let place = DateParser.parseByline(canonical: "Hà Nội, 25/3/2024", words: ["Hà", "Nội,", "25/3/2024"])
        #expect(place == .place(DateStamp(year: 2024, month: 3, day: 25, vietnamese: true)))
    }
}
