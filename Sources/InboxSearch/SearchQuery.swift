/// A parsed query: every word and every phrase must match (AND).
///
/// Words and phrase words are index terms (see ``parse(_:)``). A query built by hand with raw
/// words (`SearchQuery(words: ["Bộ", "trưởng"])`) works too: ``SearchIndex`` normalizes again.
public struct SearchQuery: Sendable, Equatable {
    /// Terms that must each occur somewhere in the document, in query order, without repeats.
    public var words: [String]
    /// Term sequences that must occur as consecutive words within one field or body paragraph.
    /// Always at least two terms long (a one-word phrase is a word).
    public var phrases: [[String]]

    public init(words: [String] = [], phrases: [[String]] = []) {
        self.words = words
        self.phrases = phrases
    }

    /// Parses user input: text inside double quotes (`"…"` or `“…”`) is a phrase, an unclosed
    /// quote runs to the end; everything else is words. Both are reduced to search terms
    /// (lowercase, no diacritics, split on anything not a letter or digit), so `Bộ trưởng` and
    /// `bo truong` parse the same and `25/3` is the two words `25` and `3`.
    public static func parse(_ q: String) -> SearchQuery {
        var query = SearchQuery()
        var chunk = ""
        var inQuote = false
        for ch in q {
            if ch == "\"" || ch == "\u{201C}" || ch == "\u{201D}" || ch == "\u{201E}" {
                query.add(chunk, asPhrase: inQuote)
                chunk = ""
                inQuote.toggle()
            } else {
                chunk.append(ch)
            }
        }
        query.add(chunk, asPhrase: inQuote)
        return query
    }

    /// True when there is nothing to search for.
    public var isEmpty: Bool { words.isEmpty && phrases.isEmpty }

    /// The same query reduced to index terms (idempotent on parsed queries).
    func normalized() -> SearchQuery {
        var out = SearchQuery()
        for word in words { out.add(word, asPhrase: false) }
        for phrase in phrases { out.add(phrase.joined(separator: " "), asPhrase: true) }
        return out
    }

    /// Every distinct term of the words and phrases.
    var allTerms: [String] {
        var seen = Set<String>()
        return (words + phrases.joined()).filter { seen.insert($0).inserted }
    }

    private mutating func add(_ text: String, asPhrase: Bool) {
        let terms = Tokenizer.terms(text)
        if asPhrase && terms.count >= 2 {
            if !phrases.contains(terms) { phrases.append(terms) }
            return
        }
        for term in terms where !words.contains(term) { words.append(term) }
    }
}
