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
        var c = DateCursor(TextKey.keyBytes(ArraySlice(canonical.utf8)))
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
        parseByline(canonical: canonical, words: { words })
    }

    /// As above, with the display words asked for only once the line has proved to be a byline:
    /// most lines that reach this test are not, and splitting them cost more than the test.
    static func parseByline(canonical: String, words displayWords: () -> [Substring]) -> Byline? {
        guard canonical.utf8.count <= maxLineBytes else { return nil }
        let cwords = canonical.utf8.split(separator: 0x20).compactMap { Substring($0) }
        guard cwords.count >= 2 else { return nil }
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
        var rest = tail(of: canonical, from: cwords[end], words: cwords.count - end) ?? cwords[end...].joined(separator: " ")
        while let f = rest.utf8.first, Self.mayLeadSeparator(f), let c = rest.first, "|-–—,·•".contains(c) {
            rest = String(rest.dropFirst()).trimmed
        }
        guard let stamp = parseLine(rest) else { return nil }
        let words = displayWords()
        guard words.count == cwords.count else { return nil }
        if place { return .place(stamp) }
        // "Việt Nam 25/3" is more likely a headline than a writer with a yearless date.
        guard stamp.year != nil else { return nil }
        let author = words[start..<end].joined(separator: " ")
        return .author(author, stamp)
    }
}

extension DateParser {
    /// The words from `first` on, joined by single spaces: the line's own tail when its words are
    /// already so separated (canonical lines are), so no new string is joined; nil otherwise.
    fileprivate static func tail(of line: String, from first: Substring, words: Int) -> String? {
        let tail = line[first.startIndex...]
        var spaces = 0
        var last: UInt8 = 0
        for b in tail.utf8 {
            if b == 0x20 { spaces += 1 }
            last = b
        }
        return spaces == words - 1 && last != 0x20 ? String(tail) : nil
    }

    /// Whether `b` can start one of the separators between a name and a date (`| - – — , · •`):
    /// most tails start with a digit, and this byte test spares their `Character` comparisons.
    @inline(__always)
    fileprivate static func mayLeadSeparator(_ b: UInt8) -> Bool {
        b == 0x7C || b == 0x2D || b == 0x2C || b == 0xE2 || b == 0xC2
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
