/// NFC for decomposed Latin text, the form Vietnamese arrives in when a Mac or an editor saved it
/// as NFD: a base letter followed by its vowel and tone marks.
///
/// The standard library's normalizer looks up every scalar's normalization data; on the corpus it
/// took 7 % of all parsing time although only one file in fifty needed it. This composes from a
/// table instead, and returns nil (the caller then uses the standard library) for any text outside
/// the domain it was built for, so its output is always NFC or nothing.
///
/// Domain: starters below U+0300 or in U+1E00–U+1EFF, each followed by marks of ``marks`` only.
/// Any other scalar that is not NFC-stable on its own (``Composition/isStable(_:)``), a mark after
/// a starter outside the domain, or more than ``maxRun`` marks in a row, gives nil.
enum LatinComposition {
    /// Grave, acute, circumflex, tilde, breve, hook above, horn, dot below: the marks that
    /// Vietnamese letters decompose into.
    static let marks: [UInt32] = [0x300, 0x301, 0x302, 0x303, 0x306, 0x309, 0x31B, 0x323]
    /// Longer runs of marks (stacked "zalgo" text) are left to the standard library.
    static let maxRun = 8

    /// Index of `v` in ``marks``, or nil.
    @inline(__always)
    static func markIndex(_ v: UInt32) -> Int? {
        switch v {
        case 0x300: 0
        case 0x301: 1
        case 0x302: 2
        case 0x303: 3
        case 0x306: 4
        case 0x309: 5
        case 0x31B: 6
        case 0x323: 7
        default: nil
        }
    }

    /// Row of `starter` in ``composites``, or nil outside the domain.
    @inline(__always)
    static func row(_ starter: UInt32) -> Int? {
        if starter < 0x300 { return Int(starter) }
        if starter >= 0x1E00 && starter < 0x1F00 { return Int(starter) - 0x1E00 + 0x300 }
        return nil
    }

    /// Canonical combining class of each of ``marks``, from the standard library.
    static let combiningClasses: [UInt8] = marks.map {
        Unicode.Scalar($0)!.properties.canonicalCombiningClass.rawValue
    }

    /// In ``composites``: NFC leaves the pair as it is.
    static let none: UInt32 = 0
    /// In ``composites``: NFC changes the pair into something other than one scalar (é + dot below
    /// is ẹ + acute: the starter's own marks are reordered). Such text is left to the standard library.
    static let unsafe: UInt32 = .max

    /// composites[row(starter) * 8 + markIndex(mark)]: the primary composite of the pair, or
    /// ``none`` or ``unsafe``. Built once from the standard library's own NFC of every pair, so the
    /// two cannot disagree on a pair: one text of all 8,000 pairs, each on a line of its own (a
    /// line feed composes with nothing), normalized in one call (one call per pair was 50 M
    /// instructions, 15 ms).
    static let composites: [UInt32] = {
        var table = [UInt32](repeating: none, count: (0x300 + 0x100) * marks.count)
        // Controls below U+0020 compose with nothing; the line feed among them separates pairs.
        let starters = Array(UInt32(0x20)..<0x300) + Array(UInt32(0x1E00)..<0x1F00)
        var pairs: [UInt8] = []
        for starter in starters {
            for mark in marks {
                UTF8Encoding.append(starter, to: &pairs)
                UTF8Encoding.append(mark, to: &pairs)
                pairs.append(0x0A)
            }
        }
        let composed = String(decoding: pairs, as: UTF8.self)._nfcCodeUnits
        // Each line of the result, as its first two scalars and how many it has.
        var lines: [(count: Int, first: UInt32, second: UInt32)] = []
        lines.reserveCapacity(starters.count * marks.count)
        composed.withUnsafeBufferPointer { p in
            var i = 0
            var line = (count: 0, first: UInt32(0), second: UInt32(0))
            while i < p.count, let (v, length) = UTF8Encoding.scalar(at: i, in: p) {
                i += length
                if v == 0x0A {
                    lines.append(line)
                    line = (0, 0, 0)
                    continue
                }
                if line.count == 0 { line.first = v } else if line.count == 1 { line.second = v }
                line.count += 1
            }
        }
        precondition(lines.count == starters.count * marks.count, "NFC changed the number of lines")
        var next = 0
        for starter in starters {
            for (k, mark) in marks.enumerated() {
                let line = lines[next]
                next += 1
                let entry: UInt32
                if line.count == 1 {
                    entry = line.first
                } else {
                    entry = line.count == 2 && line.first == starter && line.second == mark ? none : unsafe
                }
                table[row(starter)! * marks.count + k] = entry
            }
        }
        return table
    }()

    /// `p` (valid UTF-8) in NFC, or nil when it holds something outside the domain.
    static func compose(_ p: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let n = p.count
        let table = composites
        let classes = combiningClasses
        var failed = false
        let out = [UInt8](unsafeUninitializedCapacity: n) { buffer, count in
            guard let base = buffer.baseAddress else { return }
            // Composition only ever shortens the text, so `n` bytes are enough.
            var written = 0
            /// Where the last starter was written, and its value (-1: none, or one outside the domain).
            var starterAt = -1
            var starter: UInt32 = 0
            /// The last starter is outside the domain: a mark after it gives nil.
            var foreignStarter = false
            var run: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)
            var runCount = 0

            func write(_ v: UInt32) {
                written += UTF8Encoding.store(v, at: base + written)
            }

            /// Sorts the pending marks into canonical order and composes what is not blocked.
            func flush() {
                guard runCount > 0 else { return }
                guard !foreignStarter else { failed = true; return }
                withUnsafeMutableBytes(of: &run) { raw in
                    let marks = raw.bindMemory(to: UInt32.self)
                    // Stable insertion sort by combining class (indices into `marks`/`classes`).
                    for a in 1..<runCount {
                        let m = marks[a]
                        var b = a
                        while b > 0 && classes[Int(marks[b - 1])] > classes[Int(m)] {
                            marks[b] = marks[b - 1]
                            b -= 1
                        }
                        marks[b] = m
                    }
                    var composed = starter
                    var kept: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0, 0)
                    var keptCount = 0
                    var lastKeptClass: UInt8 = 0
                    withUnsafeMutableBytes(of: &kept) { keptRaw in
                        let keptMarks = keptRaw.bindMemory(to: UInt32.self)
                        for a in 0..<runCount {
                            let k = Int(marks[a])
                            let ccc = classes[k]
                            guard starterAt >= 0 else {
                                keptMarks[keptCount] = UInt32(k)
                                keptCount += 1
                                continue
                            }
                            // A composite outside the domain with marks still to place.
                            guard let r = row(composed) else { failed = true; return }
                            let entry = table[r * 8 + k]
                            if entry == unsafe { failed = true; return }
                            // A mark is blocked by an uncomposed one of the same class before
                            // it (a lower class cannot come later once sorted).
                            if entry != none, lastKeptClass == 0 || lastKeptClass < ccc {
                                composed = entry
                            } else {
                                keptMarks[keptCount] = UInt32(k)
                                keptCount += 1
                                lastKeptClass = ccc
                            }
                        }
                        if starterAt >= 0 {
                            written = starterAt
                            write(composed)
                            starter = composed
                        }
                        for a in 0..<keptCount { write(LatinComposition.marks[Int(keptMarks[a])]) }
                    }
                }
                runCount = 0
            }

            var i = 0
            while i < n && !failed {
                let b = p[i]
                if b < 0x80 {
                    if runCount > 0 { flush() }
                    foreignStarter = false
                    starterAt = written
                    starter = UInt32(b)
                    base[written] = b
                    written += 1
                    i += 1
                    continue
                }
                guard let (v, len) = UTF8Encoding.scalar(at: i, in: p) else { failed = true; break }
                i += len
                if let k = markIndex(v) {
                    if runCount == maxRun { failed = true; break }
                    withUnsafeMutableBytes(of: &run) { $0.storeBytes(of: UInt32(k), toByteOffset: runCount * 4, as: UInt32.self) }
                    runCount += 1
                    continue
                }
                if runCount > 0 { flush() }
                if v >= 0x300 && !Composition.isStable(v) { failed = true; break }
                if row(v) != nil {
                    starterAt = written
                    starter = v
                    foreignStarter = false
                } else {
                    // A stable starter outside the domain: marks after it are not composed here.
                    starterAt = -1
                    foreignStarter = true
                }
                write(v)
            }
            if !failed && runCount > 0 { flush() }
            count = failed ? 0 : written
        }
        return failed ? nil : out
    }
}
