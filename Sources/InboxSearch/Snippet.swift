/// Builds the text shown under a hit.
///
/// The snippet comes from the body paragraph holding the most distinct query terms (each quoted
/// phrase found there counts once more, and so do the query's words standing together in query
/// order; ties go to the earliest), or from the title, author or source when no paragraph
/// matches. It is about ``length`` characters (Unicode scalars of the display text) of that
/// paragraph, starting up to ``lead`` characters before the first of those phrases there, else
/// before the first matched word, cut at word boundaries, with `…` at each end that was cut.
/// Every word whose term is a query term is wrapped in `«` `»` (the markers do not count toward
/// the length). The text is the original display text, diacritics and case as written.
struct Snippet {
    static let length = 160
    static let lead = 40

    /// Query terms as UTF-8, and phrases as indices into them: the quoted ones, then the
    /// words in query order when there are several (a bonus for finding them together).
    private let terms: [[UInt8]]
    private let phrases: [[Int]]

    init(terms: [String], words: [String], phrases: [[String]]) {
        self.terms = terms.map { Array($0.utf8) }
        var sequences = phrases
        if words.count >= 2 { sequences.append(words) }
        self.phrases = sequences.map { phrase in phrase.compactMap { terms.firstIndex(of: $0) } }
    }

    /// The snippet of a fetched document.
    func make(_ document: SearchDocument) -> String {
        let perfect = terms.count + phrases.count
        var best: (text: String, tokens: [Int8], score: Int)?
        var tokens: [Int8] = []
        var list = TermList()
        func consider(_ text: String?) -> Bool {
            guard let text, !text.isEmpty else { return false }
            tokens.removeAll(keepingCapacity: true)
            list.removeAll()
            Tokenizer.append(text, to: &list)
            var mask: UInt64 = 0
            for i in 0..<list.count {
                let k = termIndex(list, i)
                tokens.append(Int8(truncatingIfNeeded: k))
                if k >= 0 && k < 64 { mask |= 1 << UInt64(k) }
            }
            var score = mask.nonzeroBitCount
            if score > 0 {
                for phrase in phrases where Self.contains(tokens, phrase) { score += 1 }
            }
            if score > best?.score ?? -1 { best = (text, tokens, score) }
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
        return render(best.text, tokens: best.tokens)
    }

    /// Index of term `i` of `list` among the query terms, or -1.
    private func termIndex(_ list: TermList, _ i: Int) -> Int {
        for (k, t) in terms.enumerated() where list.term(i, equals: t) { return min(k, 127) }
        return -1
    }

    private static func contains(_ tokens: [Int8], _ phrase: [Int]) -> Bool {
        firstOccurrence(tokens, phrase) != nil
    }

    /// Token index where `phrase` first starts in `tokens`.
    private static func firstOccurrence(_ tokens: [Int8], _ phrase: [Int]) -> Int? {
        guard !phrase.isEmpty, tokens.count >= phrase.count else { return nil }
        var i = 0
        while i + phrase.count <= tokens.count {
            var all = true
            for (j, k) in phrase.enumerated() where Int(tokens[i + j]) != k {
                all = false
                break
            }
            if all { return i }
            i += 1
        }
        return nil
    }

    /// A word of the text: byte and scalar ranges.
    private struct Word {
        var bytes: Range<Int>
        var scalars: Range<Int>
        var matched = false
    }

    /// The window of `text` around its first phrase (quoted, or the query words together), else
    /// its first matched word, marked up. `tokens` are the query
    /// term indices of the text's terms in order, used to tell which words match without keying
    /// each word again when words and terms line up one to one (they do unless the text has a
    /// character the key drops or splits on).
    private func render(_ text: String, tokens: [Int8]) -> String {
        var text = text
        return text.withUTF8 { utf8 in
            var words: [Word] = []
            var start = -1
            var startScalar = 0
            var scalar = 0
            var i = 0
            while i < utf8.count {
                let b = utf8[i]
                let (value, len) = b < 0x80 ? (UInt32(b), 1) : Tokenizer.decodeScalar(utf8, at: i)
                if Tokenizer.isWordScalar(value) {
                    if start < 0 {
                        start = i
                        startScalar = scalar
                    }
                } else if start >= 0 {
                    words.append(Word(bytes: start..<i, scalars: startScalar..<scalar))
                    start = -1
                }
                i += len
                scalar += 1
            }
            if start >= 0 { words.append(Word(bytes: start..<utf8.count, scalars: startScalar..<scalar)) }
            let scalarCount = scalar

            if words.count == tokens.count {
                for k in words.indices { words[k].matched = tokens[k] >= 0 }
            } else {
                var list = TermList()
                for k in words.indices {
                    list.removeAll()
                    Tokenizer.append(
                        String(decoding: UnsafeBufferPointer(rebasing: utf8[words[k].bytes]), as: UTF8.self), to: &list)
                    words[k].matched = (0..<list.count).contains { termIndex(list, $0) >= 0 }
                }
            }

            // Window in scalars, then snapped to whole words.
            var lower = 0
            var upper = scalarCount
            var lowerByte = 0
            var upperByte = utf8.count
            if scalarCount > Self.length {
                let phraseStart =
                    words.count == tokens.count ? phrases.compactMap { Self.firstOccurrence(tokens, $0) }.min() : nil
                let first =
                    phraseStart.map { words[$0].scalars.lowerBound }
                    ?? words.first(where: \.matched)?.scalars.lowerBound ?? 0
                lower = max(0, first - Self.lead)
                upper = min(scalarCount, lower + Self.length)
                if upper == scalarCount { lower = max(0, upper - Self.length) }
                lowerByte = 0
                if lower > 0 {
                    if let w = words.first(where: { $0.scalars.lowerBound >= lower && $0.scalars.lowerBound <= first })
                    {
                        lower = w.scalars.lowerBound
                        lowerByte = w.bytes.lowerBound
                    } else {
                        lowerByte = Self.byteOffset(utf8, scalar: lower)
                    }
                }
                if upper < scalarCount {
                    if !words.contains(where: { $0.scalars.lowerBound >= upper }) {
                        upper = scalarCount  // only punctuation left: keep it
                    } else if let w = words.last(where: {
                        $0.scalars.upperBound <= upper && $0.scalars.lowerBound >= lower
                    }) {
                        upper = w.scalars.upperBound
                        upperByte = w.bytes.upperBound
                    } else {
                        upperByte = Self.byteOffset(utf8, scalar: upper)
                    }
                }
            }

            var out: [UInt8] = []
            out.reserveCapacity(upperByte - lowerByte + 32)
            if lower > 0 { out.append(contentsOf: "…".utf8) }
            var position = lowerByte
            for word in words
            where word.matched && word.bytes.lowerBound >= lowerByte && word.bytes.upperBound <= upperByte {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[position..<word.bytes.lowerBound]))
                out.append(contentsOf: "«".utf8)
                out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[word.bytes]))
                out.append(contentsOf: "»".utf8)
                position = word.bytes.upperBound
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[position..<upperByte]))
            if upper < scalarCount { out.append(contentsOf: "…".utf8) }
            return String(decoding: out, as: UTF8.self)
        }
    }

    /// Byte offset of the scalar with index `scalar`.
    private static func byteOffset(_ utf8: UnsafeBufferPointer<UInt8>, scalar: Int) -> Int {
        var seen = 0
        for (i, b) in utf8.enumerated() where b & 0xC0 != 0x80 {
            if seen == scalar { return i }
            seen += 1
        }
        return utf8.count
    }
}
