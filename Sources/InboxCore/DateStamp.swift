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
        let date = "\(pad(y, 4))-\(pad(month))-\(pad(day))"
        guard let h = hour, let offset = offsetMinutes ?? (vietnamese ? 7 * 60 : nil) else { return date }
        let sign = offset < 0 ? "-" : "+"
        let a = abs(offset)
        return date + "T\(pad(h)):\(pad(minute)):\(pad(second))\(sign)\(pad(a / 60)):\(pad(a % 60))"
    }

    private func pad(_ v: Int, _ width: Int = 2) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
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
