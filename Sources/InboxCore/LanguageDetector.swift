/// Tells Vietnamese from English from anything else, on canonical text.
///
/// Vietnamese: at least 15% of words contain a letter only Vietnamese uses often (ă â đ ê ô ơ ư
/// ĩ ũ or a precomposed letter of U+1EA0–U+1EF9). English: at least 90% of words pure ASCII and
/// at least 10% common English function words. Anything else is `und`.
enum LanguageDetector {
    /// Words looked at; enough for a verdict, and a bound on a 10 MB body.
    static let sampleWords = 200

    /// Packed stop words, sorted for binary search (cheaper than hashing per word).
    private static let stopWords: [UInt64] = {
        let words = [
            "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as", "was", "said",
            "by", "at", "from", "it", "be", "are", "has", "have", "will", "an", "this", "his", "her",
            "its", "were", "which", "not", "but", "he", "she", "they", "had", "been", "would",
        ]
        return words.map { pack(Array($0.utf8)) }.sorted()
    }()

    /// Up to 8 ASCII bytes packed into an integer, so a word can be looked up without allocating.
    private static func pack(_ w: some Collection<UInt8>) -> UInt64 {
        var v: UInt64 = 0
        for b in w.prefix(8) { v = v << 8 | UInt64(b | 0x20) }
        return v
    }

    static func detect(_ table: LineTable, lines: [Int]) -> String {
        // Vietnamese is told apart on its letters alone: the words counted for English (ASCII
        // bytes, stop-word lookups) are only counted, in a second walk, when that does not decide.
        let (words, vietnamese) = forEachSampledWord(table, lines: lines) { _, _, _ in }
        guard words > 0 else { return "und" }
        if vietnamese * 100 >= words * 15 { return "vi" }
        var ascii = 0, stop = 0
        _ = forEachSampledWord(table, lines: lines) { c, word, _ in
            guard !word.contains(where: { c[$0] >= 0x80 }) else { return }
            ascii += 1
            if word.count <= 5 && isStopWord(pack(c[word])) { stop += 1 }
        }
        if ascii * 10 >= words * 9 && stop * 10 >= words { return "en" }
        return "und"
    }

    /// Walks the sampled words of `lines` (canonical form: single spaces): at most
    /// ``sampleWords``, and none after the one that makes 15 % of that many Vietnamese (the
    /// verdict is Vietnamese then, whatever follows). `visit` gets each word's range of the
    /// canonical bytes and whether it has a letter that marks Vietnamese.
    @inline(__always)
    private static func forEachSampledWord(
        _ table: LineTable, lines: [Int], _ visit: (UnsafeBufferPointer<UInt8>, Range<Int>, Bool) -> Void
    ) -> (words: Int, vietnamese: Int) {
        var words = 0, vietnamese = 0
        table.canonical.withUnsafeBufferPointer { c in
            table.lines.withUnsafeBufferPointer { all in
                outer: for idx in lines {
                    let range = all[idx].canonicalRange
                    var start = range.lowerBound
                    while start < range.upperBound {
                        var end = start
                        var viet = false
                        while end < range.upperBound {
                            let b = c[end]
                            if b == 0x20 { break }
                            if !viet && b >= 0xC3 && end + 1 < range.upperBound {
                                viet = isVietnamese(b, c[end + 1], end + 2 < range.upperBound ? c[end + 2] : 0)
                            }
                            end += 1
                        }
                        words += 1
                        visit(c, start..<end, viet)
                        if viet {
                            vietnamese += 1
                            if vietnamese * 100 >= sampleWords * 15 { break outer }
                        }
                        if words >= sampleWords { break outer }
                        start = end + 1
                    }
                }
            }
        }
        return (words, vietnamese)
    }

    @inline(__always)
    private static func isStopWord(_ v: UInt64) -> Bool {
        var lo = 0, hi = stopWords.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if stopWords[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo < stopWords.count && stopWords[lo] == v
    }

    /// Whether the UTF-8 sequence `b0 b1 b2...` is one of the letters that mark Vietnamese.
    @inline(__always)
    private static func isVietnamese(_ b0: UInt8, _ b1: UInt8, _ b2: UInt8) -> Bool {
        switch b0 {
        case 0xC3:  // Â â Ê ê Ô ô
            return b1 == 0x82 || b1 == 0xA2 || b1 == 0x8A || b1 == 0xAA || b1 == 0x94 || b1 == 0xB4
        case 0xC4:  // Ă ă Đ đ Ĩ ĩ
            return b1 == 0x82 || b1 == 0x83 || b1 == 0x90 || b1 == 0x91 || b1 == 0xA8 || b1 == 0xA9
        case 0xC5:  // Ũ ũ
            return b1 == 0xA8 || b1 == 0xA9
        case 0xC6:  // Ơ ơ Ư ư
            return b1 == 0xA0 || b1 == 0xA1 || b1 == 0xAF || b1 == 0xB0
        case 0xE1:  // U+1EA0–U+1EF9
            return b1 == 0xBB || (b1 == 0xBA && b2 >= 0xA0)
        default:
            return false
        }
    }
}
