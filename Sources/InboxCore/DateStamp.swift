/// A date (and maybe a time and zone) read from a date line, before it becomes ISO 8601.
struct DateStamp: Sendable, Equatable {
    var year: Int?
    var month: Int
    var day: Int
    var hour: Int?
    var minute = 0
    var second = 0
    /// Offset from UTC in minutes, when the line states a zone.
    var offsetMinutes: Int?
    /// Day-first numeric date (`26/3/2024`): the Vietnamese convention, where a missing zone
    /// means Vietnam's +07:00. English and ISO dates get no invented zone.
    var vietnamese: Bool

    /// `YYYY-MM-DDTHH:MM:SS±HH:MM` when time and zone are known, `YYYY-MM-DD` when only the day
    /// is (a time without a trustworthy zone is dropped rather than guessed), nil without a year.
    var iso: String? {
        guard let y = year else { return nil }
        // Written as bytes: string interpolation of twelve padded numbers cost more than
        // finding the date.
        var out: [UInt8] = []
        out.reserveCapacity(25)
        Self.append(y, width: 4, to: &out)
        out.append(0x2D)
        Self.append(month, width: 2, to: &out)
        out.append(0x2D)
        Self.append(day, width: 2, to: &out)
        if let h = hour, let offset = offsetMinutes ?? (vietnamese ? 7 * 60 : nil) {
            out.append(0x54)
            Self.append(h, width: 2, to: &out)
            out.append(0x3A)
            Self.append(minute, width: 2, to: &out)
            out.append(0x3A)
            Self.append(second, width: 2, to: &out)
            out.append(offset < 0 ? 0x2D : 0x2B)
            Self.append(abs(offset) / 60, width: 2, to: &out)
            out.append(0x3A)
            Self.append(abs(offset) % 60, width: 2, to: &out)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `v` in decimal, zero-padded on the left to `width` characters, as the former
    /// `String(repeating: "0") + String(v)` (an `Int`'s digits fit a small string: no allocation).
    private static func append(_ v: Int, width: Int, to out: inout [UInt8]) {
        let digits = String(v).utf8
        for _ in digits.count..<max(width, digits.count) { out.append(0x30) }
        out.append(contentsOf: digits)
    }

    static func isValid(year: Int?, month: Int, day: Int) -> Bool {
        guard (1...12).contains(month), day >= 1 else { return false }
        if let y = year, !(1900...2100).contains(y) { return false }
        let days = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        if month == 2, let y = year, day == 29 {
            return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
        }
        return day <= days
    }
}
