import CTextScan

/// Builds a ``LineTable`` (see there for the two forms).
///
/// The display buffer starts as a copy of the input, so a line's display form is usually just a
/// range of it; only a line with a zero-width character is compacted in place. Canonical bytes
/// are copied in runs of "plain" characters (letters, digits, punctuation that needs no
/// mapping); spaces, special characters and possible tone-fold sites take the scalar path.
enum LineScanner {
    static func scan(_ text: String) -> LineTable {
        var nfc = Composition.nfc(text)
        return nfc.withUTF8 { scan(utf8: $0) }
    }

    /// - Parameter p: valid UTF-8 in NFC.
    static func scan(utf8 p: UnsafeBufferPointer<UInt8>) -> LineTable {
        let n = p.count
        var lines: [LineTable.Line] = []
        lines.reserveCapacity(n / 80 + 4)
        var canonical: [UInt8] = []
        // Both buffers are written before they are read, so they are not zeroed first (that was
        // two memsets of the whole file). Display: the input, then 8 zero bytes of padding.
        let display = [UInt8](unsafeUninitializedCapacity: n + 8) { d, displayCount in
            guard let dBase = d.baseAddress else { return }
            if let pBase = p.baseAddress { dBase.initialize(from: pBase, count: n) }
            (dBase + n).initialize(repeating: 0, count: 8)
            displayCount = n + 8
            guard p.baseAddress != nil else { return }
            // Canonical never grows: whitespace runs shrink, Ð→Đ keeps its length and a tone fold
            // keeps or shrinks it.
            canonical = [UInt8](unsafeUninitializedCapacity: n + 8) { c, canonicalCount in
                PlainBytes.table.withUnsafeBufferPointer { plainBytes in
                    guard let cBase = c.baseAddress, let plainBase = plainBytes.baseAddress else { return }
                    var s = ScanState(input: p, display: dBase, canonical: cBase, capacity: n + 8, plainBytes: plainBase)
                    var i = 0
                    while i < n {
                        if s.foldPosition < 0 {
                            let j = s.plainRunEnd(from: i)
                            if j > i {
                                s.plainRun(i, j)
                                i = j
                                continue
                            }
                        }
                        let b = p[i]
                        if b < 0x80 {
                            if b == 0x0A {
                                s.endLine(at: i, &lines)
                                s.lineStart = i + 1
                            } else if b == 0x0D {
                                s.endLine(at: i, &lines)
                                if i + 1 < n && p[i + 1] == 0x0A { i += 1 }
                                s.lineStart = i + 1
                            } else if UTF8Encoding.isASCIISpace(b) {
                                s.space(at: i, length: 1)
                            } else {
                                s.keep(UInt32(b), canonicalAs: UInt32(b), at: i, length: 1)
                            }
                            i += 1
                            continue
                        }
                        guard let (v, len) = UTF8Encoding.scalar(at: i, in: p) else { break }
                        if UTF8Encoding.isZeroWidth(v) {
                            // Invisible: gone from both forms, and it does not separate words.
                            s.shift += len
                        } else if UTF8Encoding.isUnicodeSpace(v) {
                            s.space(at: i, length: len)
                        } else {
                            // Ð (U+00D0, Icelandic eth) is a common stand-in for Đ (U+0110).
                            let c: UInt32 = v == 0xD0 ? 0x110 : (v == 0xF0 ? 0x111 : v)
                            s.keep(v, canonicalAs: c, at: i, length: len)
                        }
                        i += len
                    }
                    s.endLine(at: n, &lines)
                    canonicalCount = s.canonicalCount
                }
            }
        }
        return LineTable(display: display, canonical: canonical, lines: lines)
    }
}

/// Mutable state of one ``LineScanner`` pass, writing through raw pointers into buffers sized
/// in advance (every write is still bounds-checked against `capacity`).
private struct ScanState {
    let input: UnsafeBufferPointer<UInt8>
    let display: UnsafeMutablePointer<UInt8>
    let canonical: UnsafeMutablePointer<UInt8>
    let capacity: Int
    /// ``PlainBytes/table``.
    let plainBytes: UnsafePointer<UInt8>
    var canonicalCount = 0
    /// Input offset where the current line starts (its display start too).
    var lineStart = 0
    /// Bytes removed from the current line's display so far (zero-width characters); while it
    /// is 0 the display copy needs no writes.
    var shift = 0
    var contentStart = -1
    var displayEnd = -1
    var canonicalStart = 0
    var pendingSpace = false
    /// Last two canonical scalars of the line (0 at line start; for non-ASCII only "not o/u/q"
    /// matters), for the oa/oe/uy rule.
    var prev1: UInt32 = 0
    var prev2: UInt32 = 0
    /// A new-style cluster waiting to learn whether a letter follows: where its first vowel
    /// starts in `canonical` (-1: none), that vowel, and the second vowel's base and tone.
    var foldPosition = -1
    var foldFirst: UInt8 = 0
    var foldBase: UInt8 = 0
    var foldTone: UInt8 = 0

    init(input: UnsafeBufferPointer<UInt8>, display: UnsafeMutablePointer<UInt8>,
         canonical: UnsafeMutablePointer<UInt8>, capacity: Int, plainBytes: UnsafePointer<UInt8>)
    {
        self.input = input
        self.display = display
        self.canonical = canonical
        self.capacity = capacity
        self.plainBytes = plainBytes
    }

    /// End of the run of plain bytes starting at `i`: printable ASCII, single spaces between
    /// plain characters, and multi-byte characters that map to themselves and cannot start a
    /// tone fold (a lead byte right after an ASCII o/u might). Such a run is copied to the
    /// canonical form unchanged.
    ///
    /// Whether byte j ends the run depends only on bytes j-1, j and j+1 (see ``PlainBytes``),
    /// so the loop carries no state from byte to byte and takes no branch until the run ends:
    /// the branchy version mispredicted at nearly every space and accented letter and was
    /// three quarters of the scanner's time.
    @inline(__always)
    func plainRunEnd(from i: Int) -> Int {
        let n = input.count
        guard i < n, let p = input.baseAddress else { return i }
        let own = plainBytes
        let before = plainBytes + 256
        let after = plainBytes + 512
        // The first byte: a space cannot open a run, and the character before it decides o/u.
        let left: UInt8 = PlainBytes.space | (prev1 | 0x20 == 0x6F || prev1 | 0x20 == 0x75 ? PlainBytes.lead : 0)
        let right = i + 1 < n ? after[Int(p[i + 1])] : 0
        if own[Int(p[i])] & (PlainBytes.alwaysStops | left | right) != 0 { return i }
        // From the second byte on, the byte before is the real context: whole blocks the same
        // rule accepts are skipped sixteen bytes at a time, and the walk goes on from there.
        var j = inboxd_plain_run_skip(p, n, i + 1)
        var leftFlags = before[Int(p[j - 1])]
        while j < n {
            let b = p[j]
            let right = j + 1 < n ? after[Int(p[j + 1])] : 0
            if own[Int(b)] & (PlainBytes.alwaysStops | leftFlags | right) != 0 { break }
            leftFlags = before[Int(b)]
            j += 1
        }
        // A space is only plain between two plain characters.
        if j > i && p[j - 1] == 0x20 { j -= 1 }
        return j
    }

    @inline(__always)
    mutating func plainRun(_ i: Int, _ j: Int) {
        flushSpace()
        let count = j - i
        if canonicalCount + count <= capacity {
            if count < 32 {
                for k in 0..<count { canonical[canonicalCount + k] = input[i + k] }
            } else if let base = input.baseAddress {
                (canonical + canonicalCount).update(from: base + i, count: count)
            }
            canonicalCount += count
        }
        if shift != 0, let base = input.baseAddress {
            (display + (i - shift)).update(from: base + i, count: count)
        }
        if contentStart < 0 { contentStart = i - shift }
        displayEnd = j - shift
        prev2 = count >= 2 ? UInt32(input[j - 2]) : prev1
        prev1 = UInt32(input[j - 1])
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

    @inline(__always)
    mutating func copyDisplay(at i: Int, length: Int) {
        guard shift != 0 else { return }
        for k in 0..<length { display[i - shift + k] = input[i + k] }
    }

    /// Settles a waiting fold now that the next canonical scalar (nil: space or line end) is known.
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

    mutating func space(at i: Int, length: Int) {
        if foldPosition >= 0 { resolveFold(next: nil) }
        copyDisplay(at: i, length: length)
        if canonicalCount > canonicalStart { pendingSpace = true }
    }

    /// A visible character `v` at input offset `i`, written to canonical as `c`.
    mutating func keep(_ v: UInt32, canonicalAs c: UInt32, at i: Int, length: Int) {
        if foldPosition >= 0 { resolveFold(next: c) }
        copyDisplay(at: i, length: length)
        if contentStart < 0 { contentStart = i - shift }
        displayEnd = i - shift + length
        flushSpace()
        let position = canonicalCount
        if c == v {
            for k in 0..<length { putCanonical(input[i + k]) }
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

    /// Closes the line whose end-of-line byte is at input offset `eol` (or the end of input).
    mutating func endLine(at eol: Int, _ lines: inout [LineTable.Line]) {
        if foldPosition >= 0 { resolveFold(next: nil) }
        let end = displayEnd < 0 ? lineStart : displayEnd
        lines.append(LineTable.Line(
            displayStart: lineStart, contentStart: contentStart < 0 ? end : contentStart, displayEnd: end,
            canonicalStart: canonicalStart, canonicalEnd: canonicalCount))
        shift = 0
        contentStart = -1
        displayEnd = -1
        canonicalStart = canonicalCount
        pendingSpace = false
        prev1 = 0
        prev2 = 0
    }
}

/// Byte flags for ``ScanState/plainRunEnd(from:)``. Byte j ends a plain run when
/// `own[b_j] & (alwaysStops | before[b_j-1] | after[b_j+1])` is not zero: each rule is a bit
/// that the byte itself and one neighbour must both carry.
enum PlainBytes {
    /// Below 0x20 and DEL: the scalar path handles line ends and controls.
    static let control: UInt8 = 1
    /// A space (own), or a space before it (before): two spaces in a row are collapsed elsewhere.
    static let space: UInt8 = 2
    /// A multi-byte lead (own), or an ASCII o/u before it (before): a tone fold may start there.
    static let lead: UInt8 = 4
    /// Leads the scalar path decides: C0–C2 (NBSP, NEL), E0, E2/E3 (spaces, zero-width), EF (BOM), F5–FF.
    static let special: UInt8 = 8
    /// C3 (own), or 90/B0 after it (after): Ð and ð are mapped to Đ and đ.
    static let ethLead: UInt8 = 16
    /// E1 (own), or 9A after it (after): the Ogham space mark E1 9A 80.
    static let oghamLead: UInt8 = 32
    static let alwaysStops = control | special

    /// own[256], before[256], after[256].
    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0, count: 768)
        for b in 0..<256 {
            var own: UInt8 = 0
            switch b {
            case 0x00..<0x20, 0x7F: own = control
            case 0x20: own = space
            case 0xC3: own = lead | ethLead
            case 0xE1: own = lead | oghamLead
            case 0xC4...0xDF, 0xE4...0xEE, 0xF0...0xF4: own = lead
            case 0xC0...0xC2, 0xE0, 0xE2, 0xE3, 0xEF, 0xF5...0xFF: own = lead | special
            default: own = 0  // printable ASCII, continuation bytes
            }
            t[b] = own
            switch b {
            case 0x20: t[256 + b] = space
            case 0x4F, 0x55, 0x6F, 0x75: t[256 + b] = lead  // O U o u
            default: break
            }
            switch b {
            case 0x90, 0xB0: t[512 + b] = ethLead
            case 0x9A: t[512 + b] = oghamLead
            default: break
            }
        }
        return t
    }()
}
