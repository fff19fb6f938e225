import CTextScan

/// What a non-blank line is, decided from the line alone (its canonical form).
///
/// Context-dependent decisions (title, body, a caption under an image, an author name on the
/// last line, pull quotes) are made by ``ArticleParser``.
enum LineClass: Equatable {
    case junk
    case url(String)
    case image(String)
    case date(DateStamp)
    case byline(author: String?, DateStamp)
    case footer(source: String?)
    case caption
    case boilerplate
    case outlet(String)
    case author(String)
}

enum LineClassifier {
    /// Longest line (canonical bytes) checked against the lists of known short lines
    /// (boilerplate, outlets); keys are only computed for lines this short.
    static let keyedLine = 80

    static func classify(_ table: LineTable, _ line: LineTable.Line) -> LineClass? {
        let c = table.canonicalBytes(line)
        if isJunk(c) { return .junk }
        if let (u, image) = url(c) { return image ? .image(u) : .url(u) }
        let n = c.count
        // Cheap byte tests decide which of the costlier checks can apply at all, so a file of
        // a million short lines stays fast; words and keys are only built when needed.
        if n <= DateParser.maxLineBytes && c.contains(where: { $0 >= 0x30 && $0 <= 0x39 })
            && c.lazy.filter({ $0 == 0x20 }).count <= 12
        {
            // Date lines and bylines are a few words with a digit; sentences are longer.
            let canonical = String(knownValidUTF8: c)
            if let d = DateParser.parseLine(canonical) { return .date(d) }
            if startsWithNameOrBy(c),
                let b = DateParser.parseByline(canonical: canonical, words: { Inline.words(table.contentBytes(line)) })
            {
                switch b {
                case .author(let a, let d): return .byline(author: a, d)
                case .place(let d): return .byline(author: nil, d)
                }
            }
        }
        if n <= 120 && startsWithAny(c, footerLeads),
            let f = Boilerplate.footer(canonical: c, display: table.contentBytes(line))
        {
            return f
        }
        if isCaption(c) { return .caption }
        if n <= keyedLine, let known = Boilerplate.known(c) {
            switch known {
            case .boilerplate: return .boilerplate
            case .outlet: return .outlet(Inline.collapse(table.contentBytes(line)))
            }
        }
        if n <= 120 && startsWithAny(c, authorLeads),
            let a = byAuthor(key: TextKey.key(c), words: Inline.words(table.contentBytes(line)))
        {
            return .author(a)
        }
        return nil
    }

    /// A byline starts with a capital (a name) or with By/Bởi.
    @inline(__always)
    private static func startsWithNameOrBy(_ c: ArraySlice<UInt8>) -> Bool {
        guard let f = c.first else { return false }
        if f < 0x80 { return f >= 0x41 && f <= 0x5A }
        return f >= 0xC3  // a non-ASCII capital; parseByline checks properly
    }

    private static let footerLeads: [[UInt8]] = ["Nguồn", "nguồn", "NGUỒN", "Theo ", "theo ", "THEO ", "("]
        .map { Array($0.utf8) }
    private static let authorLeads: [[UInt8]] = ["By ", "by ", "BY ", "Tác giả", "tác giả", "TÁC GIẢ", "Bài và ảnh"]
        .map { Array($0.utf8) }

    @inline(__always)
    static func startsWithAny(_ c: ArraySlice<UInt8>, _ prefixes: [[UInt8]]) -> Bool {
        prefixes.contains { p in c.count >= p.count && c.prefix(p.count).elementsEqual(p) }
    }

    /// No letter and no digit: a lone emoji, a row of symbols, a separator.
    static func isJunk(_ c: ArraySlice<UInt8>) -> Bool {
        c.withUnsafeBufferPointer { p in
            var i = 0
            while i < p.count {
                let b = p[i]
                if b < 0x80 {
                    if (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A) { return false }
                    i += 1
                    continue
                }
                guard let (v, len) = UTF8Encoding.scalar(at: i, in: p) else { return true }
                if Letters.isLetter(v) || Unicode.Scalar(v)?.properties.numericType != nil { return false }
                i += len
            }
            return true
        }
    }

    private static let imageExtensions: Set<String> = [
        "jpg", "jpeg", "png", "gif", "webp", "avif", "bmp", "svg", "heic", "tif", "tiff",
    ]

    /// A line that is one URL; `image` when its path ends in a picture extension.
    static func url(_ c: ArraySlice<UInt8>) -> (String, image: Bool)? {
        guard c.count >= 8, let f = c.first, f | 0x20 == 0x68 || f | 0x20 == 0x77 else { return nil }
        // Compared as bytes: a line starting with H or W is common (Hà Nội, Washington), and no
        // non-ASCII letter lower-cases to one of these ASCII bytes.
        guard startsIgnoringASCIICase(c, "http://") || startsIgnoringASCIICase(c, "https://")
            || startsIgnoringASCIICase(c, "www."),
            !c.contains(0x20)
        else { return nil }
        let s = String(knownValidUTF8: c)
        let path = s.prefix { $0 != "?" && $0 != "#" }
        var ext = ""
        if let dot = path.lastIndex(of: "."), !path[dot...].contains("/") {
            ext = path[path.index(after: dot)...].lowercased()
        }
        return (s, imageExtensions.contains(ext))
    }

    /// Whether `c` starts with `prefix` (lower-case ASCII), letters compared in either case.
    @inline(__always)
    static func startsIgnoringASCIICase(_ c: ArraySlice<UInt8>, _ prefix: StaticString) -> Bool {
        prefix.withUTF8Buffer { p in
            guard c.count >= p.count else { return false }
            var i = c.startIndex
            for b in p {
                let x = c[i]
                if x != b && !(b >= 0x61 && b <= 0x7A && x == b - 0x20) { return false }
                i += 1
            }
            return true
        }
    }

    private static let creditOpeners: [[UInt8]] = [
        "Ảnh", "ảnh", "ẢNH", "Nguồn", "nguồn", "NGUỒN", "Photo", "photo", "PHOTO", "Image", "image", "Credit", "credit",
    ].map { Array($0.utf8) }
    private static let creditLabels: [[UInt8]] = ["Ảnh", "Ảnh ", "Photo", "Nguồn ảnh"].map { Array($0.utf8) }

    /// A photo caption: ends with `|`, with a credit in parentheses (`(Ảnh: Nguyễn Hồng)`,
    /// `(Nguồn: Reuters)`, `(Ảnh minh họa)`, `(Photo: AP)`), or with a bare credit
    /// (`... Blinken. Ảnh: TTXVN`). Only the last 120 bytes are looked at.
    static func isCaption(_ c: ArraySlice<UInt8>) -> Bool {
        guard let last = c.last else { return false }
        if last == 0x7C { return true }  // "|"
        let tail = c.suffix(120)
        if last == 0x29, let open = lastIndex(of: 0x28, in: tail) {  // ")" ... "("
            let inner = tail[(open + 1)...].dropLast()
            if startsWithAny(inner, creditOpeners) { return true }
        }
        // "Ảnh: X": the last colon, a credit label before it, a short credit after it.
        guard let colon = lastIndex(of: 0x3A, in: tail) else { return false }
        let credit = tail[(colon + 1)...]
        guard !credit.contains(0x2E) else { return false }
        var words = 0
        var inWord = false
        for b in credit {
            if b == 0x20 { inWord = false } else if !inWord { inWord = true; words += 1 }
        }
        guard (1...8).contains(words) else { return false }
        let label = tail[..<colon]
        return creditLabels.contains { l in label.count >= l.count && label.suffix(l.count).elementsEqual(l) }
    }

    /// Index of the last `byte` in `c`, looked for sixteen bytes at a time from the end.
    @inline(__always)
    static func lastIndex(of byte: UInt8, in c: ArraySlice<UInt8>) -> Int? {
        let offset = c.withUnsafeBufferPointer { p in p.baseAddress.map { inboxd_last_byte($0, p.count, byte) } ?? -1 }
        return offset < 0 ? nil : c.startIndex + offset
    }

    /// Start index of the first occurrence of `needle` in `hay`; candidates are found with
    /// memchr, not compared at every byte.
    static func firstOccurrence(of needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        guard let first = needle.first, hay.count >= needle.count else { return nil }
        return hay.withUnsafeBufferPointer { h -> Int? in
            guard let base = h.baseAddress else { return nil }
            let lastStart = h.count - needle.count
            var i = 0
            while i <= lastStart {
                let hit = inboxd_first_byte(base + i, lastStart - i + 1, first)
                if hit < 0 { return nil }
                i += hit
                if memoryEqual(base + i, needle) { return hay.startIndex + i }
                i += 1
            }
            return nil
        }
    }

    /// Start index of the last occurrence of `needle` in `hay`.
    static func lastOccurrence(of needle: [UInt8], in hay: ArraySlice<UInt8>) -> Int? {
        guard let first = needle.first, hay.count >= needle.count else { return nil }
        return hay.withUnsafeBufferPointer { h -> Int? in
            guard let base = h.baseAddress else { return nil }
            var end = h.count - needle.count + 1
            while end > 0 {
                let hit = inboxd_last_byte(base, end, first)
                if hit < 0 { return nil }
                if memoryEqual(base + hit, needle) { return hay.startIndex + hit }
                end = hit
            }
            return nil
        }
    }

    @inline(__always)
    private static func memoryEqual(_ p: UnsafePointer<UInt8>, _ needle: [UInt8]) -> Bool {
        needle.withUnsafeBufferPointer { n in
            for k in 0..<n.count where p[k] != n[k] { return false }
            return true
        }
    }

    /// `By Jane Doe`, `Tác giả: Nguyễn Văn A`, `Bài và ảnh: ...`.
    static func byAuthor(key: String, words: [Substring]) -> String? {
        let prefixes: [(String, Int)] = [("by ", 1), ("tac gia: ", 2), ("tac gia ", 2), ("bai va anh: ", 3)]
        for (p, n) in prefixes where key.hasPrefix(p) && words.count > n && words.count <= n + 8 {
            let names = words[n...]
            let ok = names.allSatisfy { w in
                isNameWord(w.hasSuffix(",") ? w.dropLast() : w) || ["and", "và", "&"].contains(String(w))
            }
            if ok { return names.joined(separator: " ") }
        }
        return nil
    }

    /// A capitalised word of letters (dots, hyphens and apostrophes allowed: `J.`, `Jean-Paul`).
    static func isNameWord(_ w: Substring) -> Bool {
        guard let first = w.unicodeScalars.first, Letters.isUppercase(first.value) else { return false }
        var letters = 0
        for s in w.unicodeScalars {
            if Letters.isLetter(s.value) {
                letters += 1
            } else if s != "." && s != "-" && s != "'" && s != "’" {
                return false
            }
        }
        return letters > 0
    }

    static let maxNameLineBytes = 60

    /// 2–4 capitalised words and nothing else: a writer's name alone on a line.
    static func isNameLine(_ canonical: String) -> Bool {
        guard canonical.utf8.count <= maxNameLineBytes else { return false }
        let words = canonical.split(separator: " ")
        return (2...4).contains(words.count) && words.allSatisfy { isNameWord($0) }
            && !(canonical.hasSuffix("."))
    }

    /// Short enough, and not ending like a sentence or a clause. A final `.` is allowed after
    /// an abbreviation with inner dots (`Washington D.C.`, `TP.HCM.`).
    static func isHeadlineLike(_ canonical: String) -> Bool {
        let utf8 = canonical.utf8
        // Up to 250 bytes cannot be more than 250 scalars; past that the lead bytes are counted
        // (decoding every scalar was a tenth of classifying a header line).
        guard utf8.count <= 1000, utf8.count <= 250 || utf8.reduce(0, { $0 + ($1 & 0xC0 != 0x80 ? 1 : 0) }) <= 250,
            utf8.contains(0x20), let last = canonical.unicodeScalars.last
        else { return false }
        switch last {
        case ",", ";", ":", "…":
            return false
        case ".":
            let lastWord = canonical.split(separator: " ").last ?? ""
            let inner = lastWord.dropLast()
            if !(inner.contains(".") && !inner.hasSuffix(".")) { return false }
        default:
            break
        }
        return !isCaption(ArraySlice(canonical.utf8))
    }

    /// At least 80% of the letters (outside a final parenthesised part) are upper case.
    static func isMostlyUppercase(_ canonical: String) -> Bool {
        var text = canonical
        return text.withUTF8 { mostlyUppercaseIfSimple($0) } ?? mostlyUppercaseByCharacters(canonical)
    }

    /// ``isMostlyUppercase(_:)`` on the bytes of a line whose every scalar is a `Character` of
    /// its own: Latin up to U+02FF (no CR or LF), precomposed Vietnamese (U+1E00–U+1EFF) and
    /// general punctuation U+2000–U+203F but ZWNJ and ZWJ. Nearly every line of news text is, and
    /// the `Character` walk (grapheme breaking, backwards too) cost more than the rest of the
    /// header line's checks. Nil for any other line.
    static func mostlyUppercaseIfSimple(_ p: UnsafeBufferPointer<UInt8>) -> Bool? {
        let n = p.count
        var i = 0
        while i < n {
            let b = p[i]
            if b < 0x80 {
                if b == 0x0A || b == 0x0D { return nil }
                i += 1
            } else if b >= 0xC2 && b <= 0xCB && i + 1 < n {
                i += 2
            } else if b == 0xE1 && i + 2 < n && p[i + 1] >= 0xB8 && p[i + 1] <= 0xBB {
                i += 3
            } else if b == 0xE2 && i + 2 < n && p[i + 1] == 0x80 && p[i + 2] != 0x8C && p[i + 2] != 0x8D {
                i += 3
            } else {
                return nil
            }
        }
        // Outside a final parenthesised part.
        var end = n
        if n > 0 && p[n - 1] == 0x29, let open = p[..<(n - 1)].lastIndex(of: 0x28) { end = open }
        var upper = 0, lower = 0
        i = 0
        while i < end, let (v, length) = UTF8Encoding.scalar(at: i, in: p) {
            if Letters.isUppercase(v) { upper += 1 } else if Letters.isLowercase(v) { lower += 1 }
            i += length
        }
        return isMostlyUppercase(upper: upper, lower: lower)
    }

    /// ``isMostlyUppercase(_:)`` for any line, a `Character` at a time.
    static func mostlyUppercaseByCharacters(_ canonical: String) -> Bool {
        var text = Substring(canonical)
        if text.hasSuffix(")"), let open = text.lastIndex(of: "(") { text = text[..<open] }
        var upper = 0, lower = 0
        for s in text.unicodeScalars {
            if Letters.isUppercase(s.value) { upper += 1 } else if Letters.isLowercase(s.value) { lower += 1 }
        }
        return isMostlyUppercase(upper: upper, lower: lower)
    }

    /// At least 8 upper case letters, and at least 80 % of all the letters counted.
    private static func isMostlyUppercase(upper: Int, lower: Int) -> Bool {
        upper >= 8 && upper * 4 >= lower * 16
    }
}
