/// Checks quoted phrases against a fetched document.
enum PhraseMatcher {
    /// True when every phrase occurs as consecutive terms within one field (title, author,
    /// source) or one body paragraph.
    static func matches(_ document: SearchDocument, phrases: [[String]]) -> Bool {
        var missing = phrases
        func check(_ text: String?) {
            guard let text, !text.isEmpty else { return }
            let terms = Tokenizer.terms(text)
            missing.removeAll { contains(terms, $0) }
        }
        check(document.title)
        for paragraph in document.body where !missing.isEmpty { check(paragraph) }
        if !missing.isEmpty { check(document.author) }
        if !missing.isEmpty { check(document.source) }
        return missing.isEmpty
    }

    /// True when `phrase` is a contiguous run of `terms`.
    static func contains(_ terms: [String], _ phrase: [String]) -> Bool {
        guard let head = phrase.first, terms.count >= phrase.count else { return false }
        var i = 0
        while i + phrase.count <= terms.count {
            if terms[i] == head && terms[i..<(i + phrase.count)].elementsEqual(phrase) { return true }
            i += 1
        }
        return false
    }
}
