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
        // bytes, stop-word lookups) are only counted when that verdict is not reached.
        if let verdict = vietnameseOnly(table, lines: lines) { return verdict }
        var words = 0, vietnamese = 0, ascii = 0, stop = 0
        table.canonical.withUnsafeBufferPointer { c in
            outer: for idx in lines {
                let range = table.lines[idx].canonicalRange
                var start = range.lowerBound
                while start < range.upperBound {
                    var end = start
                    var isASCII = true
                    var viet = false
                    while end < range.upperBound && c[end] != 0x20 {
                        let b = c[end]
                        if b >= 0x80 {
                            isASCII = false
                            if !viet && b >= 0xC3 && end + 1 < range.upperBound {
                                viet = isVietnamese(b, c[end + 1], end + 2 < range.upperBound ? c[end + 2] : 0)
                            }
                        }
                        end += 1
                    }
                    words += 1
                    if viet {
                        vietnamese += 1
                        // 15 % of the most words ever looked at: the verdict is Vietnamese already.
                        if vietnamese * 100 >= sampleWords * 15 { break outer }
                    }
                    if isASCII {
                        ascii += 1
                        if end - start <= 5 && isStopWord(pack(c[start..<end])) { stop += 1 }
                    }
                    if words >= sampleWords { break outer }
                    start = end + 1
                }
            }
        }
        guard words > 0 else { return "und" }
        if vietnamese * 100 >= words * 15 { return "vi" }
        if ascii * 10 >= words * 9 && stop * 10 >= words { return "en" }
        return "und"
    }

    /// The first pass of ``detect(_:lines:)``: the same words as the full pass (the same sample,
    /// the same early stop), counting only those with a Vietnamese letter. "vi" or "und" when
    /// that decides (no word, or Vietnamese), nil when the English counts are needed.
    private static func vietnameseOnly(_ table: LineTable, lines: [Int]) -> String? {
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
        if words == 0 { return "und" }
        return vietnamese * 100 >= words * 15 ? "vi" : nil
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
