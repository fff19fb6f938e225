/// Makes a title from the first sentence of the body, for articles that have no headline line.
enum TitleDeriver {
    static let maxScalars = 120

    /// The first sentence of `paragraph` (display form, whitespace collapsed), without its final
    /// period; cut on a word boundary with `…` when longer than 120 characters.
    static func derive(from paragraph: String) -> String {
        // Only the start of a paragraph matters; bounding it keeps a 10 MB line cheap.
        let scalars = Array(paragraph.unicodeScalars.prefix(4 * maxScalars))
        var end = scalars.count
        var i = 0
        while i < scalars.count {
            if ".?!…".unicodeScalars.contains(scalars[i]), isSentenceEnd(scalars, i) {
                end = i + 1
                break
            }
            i += 1
        }
        var sentence = Array(scalars[..<end])
        if sentence.count > maxScalars {
            var cut = maxScalars
            while cut > 0 && sentence[cut] != " " { cut -= 1 }
            if cut == 0 { cut = maxScalars }
            sentence = Array(sentence[..<cut])
            while let l = sentence.last, " ,;:.–-".unicodeScalars.contains(l) { sentence.removeLast() }
            sentence.append("…")
        } else if sentence.last == ".", sentence.count >= 2, sentence[sentence.count - 2] != "." {
            sentence.removeLast()
        }
        return String(String.UnicodeScalarView(sentence))
    }

    /// Whether the terminator at `i` ends a sentence: closing quotes/brackets may follow, then a
    /// space and a capital, digit or opening quote; `D.C.`, `TP.HCM`, `Mr.` and initials do not.
    private static func isSentenceEnd(_ s: [Unicode.Scalar], _ i: Int) -> Bool {
        var j = i + 1
        while j < s.count, ".?!…”\"’)»".unicodeScalars.contains(s[j]) { j += 1 }
        guard j < s.count, s[j] == " ", j + 1 < s.count else { return j >= s.count }
        let next = s[j + 1]
        guard Letters.isUppercase(next.value) || ("0"..."9").contains(next) || "“\"(«‘".unicodeScalars.contains(next)
        else { return false }
        if s[i] == "." {
            var k = i
            while k > 0 && s[k - 1] != " " { k -= 1 }
            let token = String(String.UnicodeScalarView(s[k..<i]))
            if token.contains(".") { return false }
            if token.unicodeScalars.count == 1, Letters.isUppercase(token.unicodeScalars.first?.value ?? 0) {
                return false
            }
            let abbreviations: Set<String> = [
                "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "col", "lt", "sgt", "no", "vs",
                "tp", "ts", "ths", "pgs", "gs",
            ]
            if abbreviations.contains(token.lowercased()) { return false }
        }
        return true
    }
}
