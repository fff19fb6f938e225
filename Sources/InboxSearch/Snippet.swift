/// Builds the text shown under a hit.
///
/// The snippet comes from the body paragraph holding the most distinct query terms (quoted
/// phrases found count once more; ties go to the earliest), or from the title, author or source
/// when no paragraph matches. It is about ``length`` characters (Unicode scalars of the NFC
/// display text) of that paragraph, starting a little before the first matched word, cut at word
/// boundaries, with `…` at each end that was cut. Every word whose term is a query term is
/// wrapped in `«` `»` (the markers do not count toward the length). The text is the original
/// display text, diacritics and case as written.
enum Snippet {
    static let length = 160
    /// How much context to keep before the first match when the paragraph must be cut.
    static let lead = 40

    static func make(_ document: SearchDocument, terms: Set<String>, phrases: [[String]]) -> String {
        let perfect = terms.count + phrases.count
        var best: (text: String, terms: [String], score: Int)?
        func consider(_ text: String?) -> Bool {
            guard let text, !text.isEmpty else { return false }
            let textTerms = Tokenizer.terms(text)
            var score = Set(textTerms).intersection(terms).count
            if score > 0 {
                for phrase in phrases where PhraseMatcher.contains(textTerms, phrase) { score += 1 }
            }
            if best == nil || score > best?.score ?? 0 { best = (text, textTerms, score) }
            return score == perfect
        }
        var done = false
        for paragraph in document.body where !done { done = consider(paragraph) }
        if (best?.score ?? 0) == 0 {
            for field in [document.title, document.author, document.source] where !done {
                done = consider(field)
            }
        }
        guard let best else { return "" }
        return render(best.text, terms: best.terms, highlight: terms)
    }

    /// The window of `text` around its first matched word, marked up. `terms` are the text's
    /// terms in order (used to tell which words match without re-keying each one).
    static func render(_ text: String, terms: [String], highlight: Set<String>) -> String {
        let scalars = Array(text.unicodeScalars)
        var words: [Range<Int>] = []
        var start = -1
        for (i, s) in scalars.enumerated() {
            if Tokenizer.isWordScalar(s.value) {
                if start < 0 { start = i }
            } else if start >= 0 {
                words.append(start..<i)
                start = -1
            }
        }
        if start >= 0 { words.append(start..<scalars.count) }

        let matched: [Bool]
        if words.count == terms.count {
            matched = terms.map { highlight.contains($0) }
        } else {
            // Words and terms do not line up (a character the key drops or splits on): key each word.
            matched = words.map { range in
                var hit = false
                let word = String(String.UnicodeScalarView(scalars[range]))
                Tokenizer.forEachTerm(ofKey: Tokenizer.key(word)) { if highlight.contains($0) { hit = true } }
                return hit
            }
        }

        var lower = 0
        var upper = scalars.count
        if scalars.count > length {
            let first = matched.firstIndex(of: true).map { words[$0].lowerBound } ?? 0
            lower = max(0, first - lead)
            upper = min(scalars.count, lower + length)
            if upper == scalars.count { lower = max(0, upper - length) }
            if lower > 0, let w = words.first(where: { $0.lowerBound >= lower }), w.lowerBound <= first {
                lower = w.lowerBound
            }
            if upper < scalars.count {
                if !words.contains(where: { $0.lowerBound >= upper }) {
                    upper = scalars.count  // only punctuation left: keep it
                } else if let w = words.last(where: { $0.upperBound <= upper && $0.lowerBound >= lower }) {
                    upper = w.upperBound
                }
            }
        }

        var out = String.UnicodeScalarView()
        if lower > 0 { out.append("…") }
        var position = lower
        for (k, range) in words.enumerated() where matched[k] && range.lowerBound >= lower && range.upperBound <= upper {
            out.append(contentsOf: scalars[position..<range.lowerBound])
            out.append("«")
            out.append(contentsOf: scalars[range])
            out.append("»")
            position = range.upperBound
        }
        out.append(contentsOf: scalars[position..<upper])
        if upper < scalars.count { out.append("…") }
        return String(out)
    }
}
