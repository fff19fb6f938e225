/// Finds pull quotes: a quoted paragraph, optionally followed by a short attribution, that
/// repeats text from another body paragraph (seed 000 quotes its own paragraph plus
/// "Đại sứ Việt Nam tại Mỹ Nguyễn Quốc Dũng"). Such a line is layout, not content: the parser
/// drops it so the text counts once.
enum PullQuotes {
    /// At most this many candidate lines are searched for, so a file of a million quoted lines
    /// stays linear.
    static let maxCandidates = 16
    static let minQuoteBytes = 40
    static let maxAttributionWords = 15

    /// Indices (into `table.lines`) of the body lines that are repeated pull quotes.
    static func find(in table: LineTable, body: [Int]) -> Set<Int> {
        var candidates: [(line: Int, quote: [UInt8])] = []
        for idx in body where candidates.count < maxCandidates {
            if let q = quote(table.canonicalBytes(table.lines[idx])) { candidates.append((idx, q)) }
        }
        guard !candidates.isEmpty else { return [] }

        // Body lines joined with LF, so a match never spans two paragraphs.
        var joined: [UInt8] = []
        var starts: [Int] = []
        for idx in body {
            starts.append(joined.count)
            joined.append(contentsOf: table.canonicalBytes(table.lines[idx]))
            joined.append(0x0A)
        }
        var removed = Set<Int>()
        var budget = 256
        for cand in candidates {
            guard let candPos = body.firstIndex(of: cand.line) else { continue }
            var from = 0
            var tries = 0
            while tries < 64, let hit = search(cand.quote, in: joined, from: from, budget: &budget) {
                tries += 1
                let pos = upperBound(starts, hit) - 1
                if pos != candPos && !removed.contains(body[pos]) {
                    removed.insert(cand.line)
                    break
                }
                from = hit + 1
            }
        }
        return removed
    }

    private static let quotePairs: [(open: [UInt8], close: [[UInt8]])] = [
        ([0xE2, 0x80, 0x9C], [[0xE2, 0x80, 0x9D], [0xE2, 0x80, 0x9C], [0x22]]),  // “ … ”
        ([0xE2, 0x80, 0x9E], [[0xE2, 0x80, 0x9D], [0xE2, 0x80, 0x9C], [0x22]]),  // „ … ”
        ([0xC2, 0xAB], [[0xC2, 0xBB]]),  // « … »
        ([0x22], [[0x22]]),  // " … "
    ]
    private static let ellipsis: [UInt8] = [0xE2, 0x80, 0xA6]

    /// The quoted text of a line shaped `“quote” attribution` (canonical bytes), trimmed of its
    /// final punctuation, or nil if the line is not shaped like that.
    static func quote(_ c: ArraySlice<UInt8>) -> [UInt8]? {
        guard let f = c.first, f == 0x22 || f == 0xE2 || f == 0xC2,
            let pair = quotePairs.first(where: { c.starts(with: $0.open) })
        else { return nil }
        let innerStart = c.startIndex + pair.open.count
        var close: (start: Int, end: Int)?
        for closer in pair.close {
            guard let at = LineClassifier.lastOccurrence(of: closer, in: c[innerStart...]) else { continue }
            if let current = close, at <= current.start { continue }
            close = (at, at + closer.count)
        }
        guard let (closeStart, closeEnd) = close else { return nil }
        var rest = c[closeEnd...]
        while true {
            if let b = rest.first, b == 0x2E || b == 0x2C || b == 0x3A || b == 0x3B || b == 0x2D || b == 0x20 {
                rest = rest.dropFirst()
            } else if rest.starts(with: [0xE2, 0x80, 0x93]) || rest.starts(with: [0xE2, 0x80, 0x94]) {
                rest = rest.dropFirst(3)  // – —
            } else {
                break
            }
        }
        if let l = rest.last, l == 0x2E || l == 0x21 || l == 0x3F || rest.reversed().starts(with: ellipsis.reversed()) {
            return nil
        }
        if rest.lazy.filter({ $0 == 0x20 }).count + 1 > maxAttributionWords { return nil }
        var inner = c[innerStart..<closeStart]
        while true {
            if let l = inner.last, l == 0x2E || l == 0x2C || l == 0x3B || l == 0x3A || l == 0x21 || l == 0x3F || l == 0x20 {
                inner = inner.dropLast()
            } else if inner.reversed().starts(with: ellipsis.reversed()) {
                inner = inner.dropLast(3)
            } else {
                break
            }
        }
        return inner.count >= minQuoteBytes ? Array(inner) : nil
    }

    /// First occurrence of `needle` in `hay` at or after `from`: Rabin–Karp, so one search is
    /// linear whatever the input. Hash hits are verified byte by byte, at most `budget` times
    /// over all searches; when the budget runs out the search reports nothing found.
    private static func search(_ needle: [UInt8], in hay: [UInt8], from: Int, budget: inout Int) -> Int? {
        let m = needle.count
        guard m > 0, from >= 0, hay.count - from >= m else { return nil }
        let base: UInt64 = 1_099_511_628_211
        var power: UInt64 = 1
        var target: UInt64 = 0
        var rolling: UInt64 = 0
        for k in 0..<m {
            target = target &* base &+ UInt64(needle[k])
            rolling = rolling &* base &+ UInt64(hay[from + k])
            if k > 0 { power = power &* base }
        }
        var start = from
        while true {
            if rolling == target {
                guard budget > 0 else { return nil }
                budget -= 1
                if hay[start..<(start + m)].elementsEqual(needle) { return start }
            }
            guard start + m < hay.count else { return nil }
            rolling = (rolling &- UInt64(hay[start]) &* power) &* base &+ UInt64(hay[start + m])
            start += 1
        }
    }

    /// Number of elements of sorted `a` that are <= `x`.
    private static func upperBound(_ a: [Int], _ x: Int) -> Int {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] <= x { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
