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
        // Display words that do not line up with the canonical ones refuse the line, place or author.
        #expect(DateParser.parseByline(canonical: "Hà Nội, 25/3/2024", words: ["Hà", "Nội,", "25/3", "2024"]) == nil)
        #expect(DateParser.parseByline(canonical: "Phương Hằng 07:00 | 24/03/2024", words: ["Phương Hằng", "07:00", "|", "24/03/2024"]) == nil)
    }

    /// Separators between the name and the date, and canonical-looking lines that are not quite
    /// (double or trailing spaces), read as before.
    @Test func readsSeparatorsAndOddSpacing() {
        for (line, words) in [
            ("Phương Hằng | 07:00 24/03/2024", ["Phương", "Hằng", "|", "07:00", "24/03/2024"]),
            ("Phương Hằng – 24/03/2024", ["Phương", "Hằng", "–", "24/03/2024"]),
            ("Phương Hằng · 24/03/2024", ["Phương", "Hằng", "·", "24/03/2024"]),
            ("Phương Hằng  07:00 | 24/03/2024", ["Phương", "Hằng", "07:00", "|", "24/03/2024"]),
            ("Phương Hằng 07:00 | 24/03/2024 ", ["Phương", "Hằng", "07:00", "|", "24/03/2024"]),
        ] as [(String, [Substring])] {
            guard case .author(let name, let stamp)? = DateParser.parseByline(canonical: line, words: words) else {
                Issue.record("no byline in \(line)")
                continue
            }
            #expect(name == "Phương Hằng")
            #expect(stamp.year == 2024 && stamp.month == 3 && stamp.day == 24)
        }
        #expect(DateParser.parseByline(canonical: "Phương Hằng -̀ 24/03/2024", words: ["Phương", "Hằng", "-̀", "24/03/2024"]) == nil)
    }

    /// The display words are split only for a line that is a byline.
    @Test func asksForDisplayWordsOnlyForBylines() {
        var asked = 0
        let words: () -> [Substring] = {
            asked += 1
            return ["Quan", "hệ", "Việt", "Nam", "và", "Hoa", "Kỳ", "năm", "2024"]
        }
        #expect(DateParser.parseByline(canonical: "Quan hệ Việt Nam và Hoa Kỳ năm 2024", words: words) == nil)
        #expect(asked == 0)
        #expect(DateParser.parseByline(canonical: "Phương Hằng 07:00 | 24/03/2024", words: {
            asked += 1
            return ["Phương", "Hằng", "07:00", "|", "24/03/2024"]
        }) != nil)
        #expect(asked == 1)
    }
}

/// `DateStamp.iso` writes its digits as bytes: it must say what string interpolation of padded
/// numbers said, for every field's edge values (zero, one digit, the widest, negative offsets).
struct DateStampISOTests {
    static func interpolated(_ d: DateStamp) -> String? {
        func pad(_ v: Int, _ width: Int = 2) -> String {
            let s = String(v)
            return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
        }
        guard let y = d.year else { return nil }
        let date = "\(pad(y, 4))-\(pad(d.month))-\(pad(d.day))"
        guard let h = d.hour, let offset = d.offsetMinutes ?? (d.vietnamese ? 7 * 60 : nil) else { return date }
        let sign = offset < 0 ? "-" : "+"
        let a = abs(offset)
        return date + "T\(pad(h)):\(pad(d.minute)):\(pad(d.second))\(sign)\(pad(a / 60)):\(pad(a % 60))"
    }

    @Test func isoMatchesInterpolation() {
        var checked = 0
        for year in [nil, 0, 7, 99, 999, 1900, 2024, 12345, -5] as [Int?] {
            for (month, day) in [(1, 1), (9, 30), (12, 31)] {
                for hour in [nil, 0, 7, 23] as [Int?] {
                    for (minute, second) in [(0, 0), (5, 9), (59, 59)] {
                        for offset in [nil, 0, 420, -150, -720, 840] as [Int?] {
                            for vietnamese in [false, true] {
                                let d = DateStamp(year: year, month: month, day: day, hour: hour, minute: minute,
                                                  second: second, offsetMinutes: offset, vietnamese: vietnamese)
                                #expect(d.iso == Self.interpolated(d))
                                checked += 1
                            }
                        }
                    }
                }
            }
        }
        #expect(checked == 9 * 3 * 4 * 3 * 6 * 2)
        #expect(DateStamp(year: 2024, month: 3, day: 24, hour: 7, offsetMinutes: nil, vietnamese: true).iso == "2024-03-24T07:00:00+07:00")
    }
}
