/// A text split into lines, each with its display bytes and its canonical bytes.
///
/// Built in one pass over the UTF-8 of NFC text by ``LineScanner``; the parser classifies lines
/// on their canonical bytes (so tone style, NFD, NBSP padding never change a decision) and
/// outputs their display bytes. Two flat buffers and index ranges keep a 10 MB file with a
/// million lines down to three allocations.
struct LineTable: Sendable {
    struct Line: Sendable {
        /// Start of the line in ``LineTable/display`` (leading whitespace kept).
        var displayStart: Int
        /// First byte after leading whitespace.
        var contentStart: Int
        /// End of the line, trailing whitespace already dropped.
        var displayEnd: Int
        var canonicalStart: Int
        var canonicalEnd: Int

        var isBlank: Bool { canonicalStart == canonicalEnd }
        var canonicalRange: Range<Int> { canonicalStart..<canonicalEnd }
        var contentRange: Range<Int> { contentStart..<displayEnd }
    }

    /// Display form of every line: NFC, zero-width characters and BOMs removed, trailing
    /// whitespace trimmed; otherwise as written.
    var display: [UInt8] = []
    /// Canonical form of every line: as display, plus every whitespace run collapsed to one
    /// ASCII space with no leading or trailing space, `Ð`/`ð` as `Đ`/`đ`, tones folded to old style.
    var canonical: [UInt8] = []
    var lines: [Line] = []

    func canonicalBytes(_ line: Line) -> ArraySlice<UInt8> { canonical[line.canonicalRange] }
    func contentBytes(_ line: Line) -> ArraySlice<UInt8> { display[line.contentRange] }

    func canonicalString(_ line: Line) -> String {
        String(decoding: canonical[line.canonicalRange], as: UTF8.self)
    }

    func contentString(_ line: Line) -> String {
        String(decoding: display[line.contentRange], as: UTF8.self)
    }
}

/// Builds a ``LineTable`` (see there for the two forms).
enum LineScanner {
    static func scan(_ text: String) -> LineTable {
        var nfc = Composition.nfc(text)
        return nfc.withUTF8 { scan(utf8: $0) }
    }

    /// - Parameter p: valid UTF-8 in NFC.
    static func scan(utf8 p: UnsafeBufferPointer<UInt8>) -> LineTable {
        let n = p.count
        // Display gains at most one LF (after the last line); canonical never grows: whitespace
        // runs shrink, Ð→Đ keeps its length and a tone fold keeps or shrinks it.
        var display = [UInt8](repeating: 0, count: n + 8)
        var canonical = [UInt8](repeating: 0, count: n + 8)
        var lines: [LineTable.Line] = []
        lines.reserveCapacity(n / 80 + 4)
        var displayCount = 0, canonicalCount = 0
        display.withUnsafeMutableBufferPointer { d in
            canonical.withUnsafeMutableBufferPointer { c in
                guard let dBase = d.baseAddress, let cBase = c.baseAddress else { return }
                var s = ScanState(display: dBase, canonical: cBase, capacity: n + 8)
                var i = 0
                while i < n {
                    let b = p[i]
                    if b > 0x20 && b < 0x7F {
                        s.printableASCII(b)
                        i += 1
                        continue
                    }
                    if b < 0x80 {
                        if b == 0x0A {
                            s.endLine(&lines)
                        } else if b == 0x0D {
                            s.endLine(&lines)
                            if i + 1 < n && p[i + 1] == 0x0A { i += 1 }
                        } else if UTF8Encoding.isASCIISpace(b) {
                            s.space()
                            s.putDisplay(b)
                        } else {
                            s.printableASCII(b)  // other controls are kept as they are
                        }
                        i += 1
                        continue
                    }
                    guard let (v, len) = UTF8Encoding.scalar(at: i, in: p) else { break }
                    if UTF8Encoding.isZeroWidth(v) {
                        // Invisible: gone from both forms, and it does not separate words.
                    } else if UTF8Encoding.isUnicodeSpace(v) {
                        s.space()
                        for k in 0..<len { s.putDisplay(p[i + k]) }
                    } else {
                        s.scalar(v, raw: p, at: i, length: len)
                    }
                    i += len
                }
                s.endLine(&lines)
                displayCount = s.displayCount
                canonicalCount = s.canonicalCount
            }
        }
        display.removeSubrange(displayCount...)
        canonical.removeSubrange(canonicalCount...)
        return LineTable(display: display, canonical: canonical, lines: lines)
    }
}

/// Mutable state of one ``LineScanner`` pass, writing through raw pointers into buffers sized
/// in advance (every write is still bounds-checked against `capacity`).
private struct ScanState {
    let display: UnsafeMutablePointer<UInt8>
    let canonical: UnsafeMutablePointer<UInt8>
    let capacity: Int
    var displayCount = 0
    var canonicalCount = 0
    var displayStart = 0
    var contentStart = -1
    var displayEnd = 0
    var canonicalStart = 0
    var pendingSpace = false
    /// Last two canonical scalars of the line (0 at line start), for the oa/oe/uy rule.
    var prev1: UInt32 = 0
    var prev2: UInt32 = 0
    /// A new-style cluster waiting to learn whether a letter follows: where its first vowel
    /// starts in `canonical` (-1: none), that vowel, and the second vowel's base and tone.
    var foldPosition = -1
    var foldFirst: UInt8 = 0
    var foldBase: UInt8 = 0
    var foldTone: UInt8 = 0

    init(display: UnsafeMutablePointer<UInt8>, canonical: UnsafeMutablePointer<UInt8>, capacity: Int) {
        self.display = display
        self.canonical = canonical
        self.capacity = capacity
    }

    @inline(__always)
    mutating func putDisplay(_ b: UInt8) {
        guard displayCount < capacity else { return }
        display[displayCount] = b
        displayCount += 1
    }

    @inline(__always)
    mutating func putCanonical(_ b: UInt8) {
        guard canonicalCount < capacity else { return }
        canonical[canonicalCount] = b
        canonicalCount += 1
    }

    @inline(__always)
    mutating func putCanonicalScalar(_ v: UInt32) {
        if v < 0x80 {
            putCanonical(UInt8(v))
        } else if v < 0x800 {
            putCanonical(UInt8(0xC0 | (v >> 6)))
            putCanonical(UInt8(0x80 | (v & 0x3F)))
        } else if v < 0x10000 {
            putCanonical(UInt8(0xE0 | (v >> 12)))
            putCanonical(UInt8(0x80 | ((v >> 6) & 0x3F)))
            putCanonical(UInt8(0x80 | (v & 0x3F)))
        } else {
            putCanonical(UInt8(0xF0 | (v >> 18)))
            putCanonical(UInt8(0x80 | ((v >> 12) & 0x3F)))
            putCanonical(UInt8(0x80 | ((v >> 6) & 0x3F)))
            putCanonical(UInt8(0x80 | (v & 0x3F)))
        }
    }

    /// Settles a waiting fold now that the next canonical scalar (nil: space or line end) is known.
    @inline(__always)
    mutating func resolveFold(next: UInt32?) {
        let position = foldPosition
        foldPosition = -1
        if let v = next, Letters.isLetter(v) { return }
        canonicalCount = position
        putCanonicalScalar(ToneFolding.toned(foldFirst, foldTone))
        putCanonical(foldBase)
    }

    @inline(__always)
    mutating func flushSpace() {
        if pendingSpace {
            putCanonical(0x20)
            pendingSpace = false
            prev2 = prev1
            prev1 = 0x20
        }
    }

    @inline(__always)
    mutating func printableASCII(_ b: UInt8) {
        if foldPosition >= 0 { resolveFold(next: UInt32(b)) }
        if contentStart < 0 { contentStart = displayCount }
        putDisplay(b)
        displayEnd = displayCount
        flushSpace()
        putCanonical(b)
        prev2 = prev1
        prev1 = UInt32(b)
    }

    @inline(__always)
    mutating func space() {
        if foldPosition >= 0 { resolveFold(next: nil) }
        if canonicalCount > canonicalStart { pendingSpace = true }
    }

    @inline(__always)
    mutating func scalar(_ v: UInt32, raw p: UnsafeBufferPointer<UInt8>, at i: Int, length: Int) {
        // Ð (U+00D0, Icelandic eth) is a common stand-in for Đ (U+0110); they look identical.
        let c: UInt32 = v == 0xD0 ? 0x110 : (v == 0xF0 ? 0x111 : v)
        if foldPosition >= 0 { resolveFold(next: c) }
        if contentStart < 0 { contentStart = displayCount }
        for k in 0..<length { putDisplay(p[i + k]) }
        displayEnd = displayCount
        flushSpace()
        let position = canonicalCount
        if c == v {
            for k in 0..<length { putCanonical(p[i + k]) }
        } else {
            putCanonicalScalar(c)
        }
        if c >= 0xC0, prev1 | 0x20 == 0x6F || prev1 | 0x20 == 0x75, let (base, tone) = ToneFolding.split(c),
            ToneFolding.isNewStylePair(before: prev2, first: prev1, secondBase: base)
        {
            foldPosition = position - 1
            foldFirst = UInt8(truncatingIfNeeded: prev1)
            foldBase = base
            foldTone = tone
        }
        prev2 = prev1
        prev1 = c
    }

    mutating func endLine(_ lines: inout [LineTable.Line]) {
        if foldPosition >= 0 { resolveFold(next: nil) }
        let end = max(displayEnd, displayStart)
        displayCount = end  // drops trailing whitespace
        let content = contentStart < 0 ? end : contentStart
        lines.append(LineTable.Line(
            displayStart: displayStart, contentStart: content, displayEnd: end,
            canonicalStart: canonicalStart, canonicalEnd: canonicalCount))
        // Lines are separated by one LF in the display buffer, as in the display form.
        putDisplay(0x0A)
        displayStart = displayCount
        displayEnd = displayStart
        contentStart = -1
        canonicalStart = canonicalCount
        pendingSpace = false
        prev1 = 0
        prev2 = 0
    }
}
