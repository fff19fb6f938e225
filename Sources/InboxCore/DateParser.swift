/// Recognises lines that are nothing but a date, optionally with weekday, time and zone, and
/// bylines (`Phương Hằng 07:00 | 24/03/2024`).
///
/// Matching is on the whole line: `Ngày 25/3, Bộ trưởng ...` is body text and
/// `Ngày 5/3: Đối thoại ...` is a headline, not date lines. Words are compared on
/// ``TextKey`` keys, so case and accents do not matter (`Thứ Ba` = `thu ba`).
enum DateParser {
    /// Longest line (in bytes) considered; date lines and bylines are short.
    static let maxLineBytes = 120

    /// The date of a line that is only a date, e.g. `26/03/2024`, `Thứ Hai, 25/03/2024 07:00
    /// (GMT+7)`, `25/03/2024 | 08:15`, `Monday, 25 March 2024`, `March 25, 2024`, `Ngày 25/3`.
    static func parseLine(_ canonical: String) -> DateStamp? {
        guard canonical.utf8.count <= maxLineBytes else { return nil }
        var c = DateCursor(TextKey.key(canonical))
        return c.dateLine()
    }

    enum Byline: Equatable {
        /// `Name Name 07:00 | 24/03/2024`: a writer and a date.
        case author(String, DateStamp)
        /// `Hà Nội, 25/3/2024`: a place and a date, no writer.
        case place(DateStamp)
    }

    /// A line of one to five capitalised words (optionally after `By`/`Bởi`) followed by a date.
    /// `words` are the line's words in display form, aligned with those of `canonical`.
    static func parseByline(canonical: String, words: [Substring]) -> Byline? {
        guard canonical.utf8.count <= maxLineBytes else { return nil }
        let cwords = canonical.split(separator: " ")
        guard cwords.count == words.count, cwords.count >= 2 else { return nil }
        var start = 0
        let first = TextKey.key(String(cwords[0]))
        if first == "by" || first == "boi" { start = 1 }
        var end = start
        var place = false
        while end < cwords.count && end - start < 5 {
            var w = cwords[end]
            let trailingComma = w.hasSuffix(",")
            if trailingComma { w = w.dropLast() }
            guard LineClassifier.isNameWord(w) else { break }
            end += 1
            if trailingComma {
                place = true
                break
            }
        }
        guard end > start, end < cwords.count else { return nil }
        var rest = cwords[end...].joined(separator: " ")
        while let f = rest.first, "|-–—,·•".contains(f) { rest = String(rest.dropFirst()).trimmed }
        guard let stamp = parseLine(rest) else { return nil }
        if place { return .place(stamp) }
        let author = words[start..<end].joined(separator: " ")
        return .author(author, stamp)
    }
}

extension String {
    var trimmed: String {
        var s = Substring(self)
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}

/// A token of a date line key.
private enum DateToken: Equatable {
    case number(Int, digits: Int)
    case word(String)
    case punct(Unicode.Scalar)
}

/// Recursive-descent matcher over the tokens of one key; each rule restores the position when
/// it fails.
private struct DateCursor {
    var tokens: [DateToken] = []
    var i = 0

    init(_ key: String) {
        var word = String.UnicodeScalarView()
        var number = 0, digits = 0
        func flush() {
            if !word.isEmpty { tokens.append(.word(String(word))); word = .init() }
            if digits > 0 { tokens.append(.number(number, digits: digits)); number = 0; digits = 0 }
        }
        for s in key.unicodeScalars {
            if s.value >= 0x30 && s.value <= 0x39 {
                if !word.isEmpty { flush() }
                if digits < 9 { number = number * 10 + Int(s.value - 0x30) }
                digits += 1
            } else if Letters.isLetter(s.value) {
                if digits > 0 { flush() }
                word.append(s)
            } else {
                flush()
                if !(s.properties.isWhitespace) { tokens.append(.punct(s)) }
            }
        }
        flush()
    }

    var atEnd: Bool { i >= tokens.count }

    mutating func word(_ options: String...) -> String? {
        guard i < tokens.count, case .word(let w) = tokens[i], options.contains(w) else { return nil }
        i += 1
        return w
    }

    mutating func punct(_ options: String) -> Bool {
        guard i < tokens.count, case .punct(let p) = tokens[i], options.unicodeScalars.contains(p) else {
            return false
        }
        i += 1
        return true
    }

    mutating func number(digits allowed: ClosedRange<Int> = 1...2) -> Int? {
        guard i < tokens.count, case .number(let n, let d) = tokens[i], allowed.contains(d) else { return nil }
        i += 1
        return n
    }

    mutating func separators() {
        while punct(",|-–—·•/") {}
    }

    // MARK: grammar

    mutating func dateLine() -> DateStamp? {
        prefix()
        weekday()
        let save = i
        if var d = date() {
            separators()
            if let t = time() {
                d.hour = t.h
                d.minute = t.m
                d.second = t.s
                _ = punct(",|")
            }
            if let z = zone() { d.offsetMinutes = z }
            _ = punct(".")
            if atEnd { return d }
        }
        i = save
        if let t = time() {
            separators()
            weekday()
            if var d = date() {
                d.hour = t.h
                d.minute = t.m
                d.second = t.s
                if let z = zone() { d.offsetMinutes = z }
                _ = punct(".")
                if atEnd { return d }
            }
        }
        return nil
    }

    /// `Cập nhật:`, `Đăng lúc`, `Published`... before a date.
    mutating func prefix() {
        let save = i
        if word("cap") != nil, word("nhat") != nil {
            _ = word("luc", "ngay")
        } else if word("dang") != nil {
            _ = word("luc", "ngay")
        } else if word("ngay") != nil, word("dang", "cap") != nil {
            _ = word("nhat")
        } else if word("published", "posted", "updated") != nil {
            _ = word("on", "at")
        } else if word("xuat") != nil, word("ban") != nil {
        } else if word("thoi") != nil, word("gian") != nil {
        } else {
            i = save
            return
        }
        _ = punct(":")
    }

    mutating func weekday() {
        let save = i
        if word("thu") != nil {
            if word("hai", "ba", "tu", "nam", "sau", "bay") == nil, number(digits: 1...1) == nil {
                // English "Thu" (Thursday) stands alone.
            }
        } else if word("chu") != nil {
            guard word("nhat") != nil else { i = save; return }
        } else if word("t") != nil {
            guard let n = number(digits: 1...1), (2...7).contains(n) else { i = save; return }
        } else if word(
            "cn", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
            "mon", "tue", "tues", "wed", "thur", "thurs", "fri", "sat", "sun") == nil
        {
            return
        }
        _ = punct(".")
        _ = punct(",-|")
    }

    static let months = [
        "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
        "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
        "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
        "oct": 10, "nov": 11, "dec": 12,
    ]

    mutating func monthName() -> Int? {
        guard i < tokens.count, case .word(let w) = tokens[i], let m = DateCursor.months[w] else { return nil }
        i += 1
        _ = punct(".")
        return m
    }

    mutating func year() -> Int? {
        if let y = number(digits: 4...4) { return y }
        if let y = number(digits: 2...2) { return 2000 + y }
        return nil
    }

    mutating func date() -> DateStamp? {
        let save = i
        if let d = dateCore() { return d }
        i = save
        return nil
    }

    private mutating func dateCore() -> DateStamp? {
        _ = word("ngay")
        if let y = number(digits: 4...4) {
            // ISO 8601: 2024-03-25, optionally followed by T and a time.
            guard punct("-"), let m = number(), punct("-"), let d = number() else { return nil }
            _ = word("t")
            return DateStamp.isValid(year: y, month: m, day: d)
                ? DateStamp(year: y, month: m, day: d, vietnamese: false) : nil
        }
        if let a = number() {
            let save = i
            for sep in ["/", "-", "."] where punct(sep) {
                guard let m = number() else { return nil }
                var y: Int? = nil
                if punct(sep) {
                    guard let yy = year() else { return nil }
                    y = yy
                }
                return DateStamp.isValid(year: y, month: m, day: a)
                    ? DateStamp(year: y, month: m, day: a, vietnamese: true) : nil
            }
            i = save
            if word("thang") != nil, let m = number() {
                var y: Int? = nil
                if word("nam") != nil || punct(",/") {
                    guard let yy = number(digits: 4...4) else { return nil }
                    y = yy
                }
                return DateStamp.isValid(year: y, month: m, day: a)
                    ? DateStamp(year: y, month: m, day: a, vietnamese: true) : nil
            }
            if let m = monthName() {
                _ = punct(",")
                let y = number(digits: 4...4)
                return DateStamp.isValid(year: y, month: m, day: a)
                    ? DateStamp(year: y, month: m, day: a, vietnamese: false) : nil
            }
            return nil
        }
        if let m = monthName() {
            guard let d = number() else { return nil }
            _ = word("st", "nd", "rd", "th")
            _ = punct(",")
            let y = number(digits: 4...4)
            return DateStamp.isValid(year: y, month: m, day: d)
                ? DateStamp(year: y, month: m, day: d, vietnamese: false) : nil
        }
        return nil
    }

    mutating func time() -> (h: Int, m: Int, s: Int)? {
        let save = i
        guard var h = number() else { return nil }
        var m = 0, s = 0
        if punct(":") {
            guard let mm = number(digits: 2...2) else { i = save; return nil }
            m = mm
            if punct(":") {
                guard let ss = number(digits: 2...2) else { i = save; return nil }
                s = ss
            }
        } else if word("h", "g", "gio") != nil {
            if let mm = number(digits: 2...2) {
                m = mm
                _ = word("phut", "p")
            }
        } else {
            i = save
            return nil
        }
        if let ampm = word("am", "pm", "sa", "ch") {
            guard (1...12).contains(h) else { i = save; return nil }
            if ampm == "pm" || ampm == "ch" { h = h % 12 + 12 } else { h = h % 12 }
        }
        guard h <= 23, m <= 59, s <= 59 else { i = save; return nil }
        return (h, m, s)
    }

    /// `(GMT+7)`, `GMT+07:00`, `UTC`, `ICT`, `+0700`, `(giờ Hà Nội)`: minutes east of UTC.
    /// US zone names are accepted but give no offset (their DST is unknowable here).
    mutating func zone() -> Int? {
        let save = i
        let paren = punct("(")
        var offset: Int?
        if word("gmt", "utc") != nil {
            offset = signedOffset() ?? 0
        } else if word("ict") != nil {
            offset = 7 * 60
        } else if word("gio") != nil {
            if word("ha") != nil, word("noi") != nil { offset = 7 * 60 }
            else if word("viet") != nil, word("nam") != nil { offset = 7 * 60 }
        } else if word("z") != nil {
            offset = 0
        } else if let o = signedOffset() {
            offset = o
        } else if word("et", "est", "edt", "ct", "cst", "cdt", "pt", "pst", "pdt") != nil {
            if paren { _ = punct(")") }
            return nil
        }
        guard let o = offset, abs(o) <= 14 * 60, !paren || punct(")") else {
            i = save
            return nil
        }
        return o
    }

    private mutating func signedOffset() -> Int? {
        let save = i
        let sign: Int
        if punct("+") { sign = 1 } else if punct("-−") { sign = -1 } else { return nil }
        if let hhmm = number(digits: 4...4) { return sign * ((hhmm / 100) * 60 + hhmm % 100) }
        guard let h = number() else { i = save; return nil }
        var m = 0
        if punct(":") {
            guard let mm = number(digits: 2...2) else { i = save; return nil }
            m = mm
        }
        return sign * (h * 60 + m)
    }
}
