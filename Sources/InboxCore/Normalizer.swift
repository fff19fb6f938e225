/// Text normal forms: one for showing text, one for comparing it.
///
/// - Display form keeps the writer's choices (tone style, line structure, inner spacing) and only
///   removes what is invisible or accidental: NFC; CRLF and CR become LF; zero-width characters
///   (U+200B–U+200D, U+2060) and BOMs (U+FEFF) are removed; trailing whitespace on each line is
///   trimmed.
/// - Canonical form is the identity of text, used for hashing, classification and search: NFC;
///   CRLF/CR → LF; zero-width characters and BOMs removed; every whitespace character (ASCII
///   whitespace, NBSP, U+1680, U+2000–U+200A, U+2028/U+2029, U+202F, U+205F, U+3000) becomes a
///   space and runs collapse to one, with none at either end of a line; `Ð`/`ð` (U+00D0/U+00F0)
///   become `Đ`/`đ`; tone marks of oa/oe/uy are folded to the old style (see ``foldTones(_:)``).
public enum Normalizer {
    /// The display form of a whole text (see ``Normalizer``).
    public static func display(_ text: String) -> String {
        let table = LineScanner.scan(text)
        var out: [UInt8] = []
        out.reserveCapacity(table.display.count)
        for (k, line) in table.lines.enumerated() {
            if k > 0 { out.append(0x0A) }
            out.append(contentsOf: table.display[line.displayStart..<line.displayEnd])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The canonical form of a whole text: each line in canonical form, runs of blank lines
    /// collapsed to one, no blank line at the start or end, lines joined with LF.
    public static func canonical(_ text: String) -> String {
        let table = LineScanner.scan(text)
        var out: [UInt8] = []
        out.reserveCapacity(table.canonical.count + table.lines.count)
        var blankPending = false
        for line in table.lines {
            if line.isBlank {
                blankPending = !out.isEmpty
                continue
            }
            if !out.isEmpty { out.append(0x0A) }
            if blankPending { out.append(0x0A) }
            blankPending = false
            out.append(contentsOf: table.canonical[line.canonicalRange])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The canonical form of one line of text: like ``canonical(_:)`` with line breaks treated
    /// as spaces, so the result is a single line.
    public static func canonicalLine(_ text: String) -> String {
        let table = LineScanner.scan(text)
        var out: [UInt8] = []
        for line in table.lines where !line.isBlank {
            if !out.isEmpty { out.append(0x20) }
            out.append(contentsOf: table.canonical[line.canonicalRange])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Folds tone-mark placement to the old style (`hoà` → `hòa`, `khoẻ` → `khỏe`,
    /// `thuỷ` → `thủy`), exactly as the reference normalizer does.
    ///
    /// Applies to the open clusters oa, oe, uy only when the cluster ends the syllable (the next
    /// character is not a letter), never to uy after q (`quý`), in both cases and all five tones.
    /// The input is composed to NFC first.
    public static func foldTones(_ s: String) -> String {
        ToneFolding.toOldStyle(Composition.nfc(s))
    }

    /// A key for accent- and case-insensitive search: the canonical line form, lowercased, with
    /// diacritics removed and `đ` as `d`, so `bo truong` matches `Bộ trưởng` and
    /// `dang hoang giang` matches `Đặng Hoàng Giang`.
    public static func searchKey(_ text: String) -> String {
        TextKey.key(canonicalLine(text))
    }
}
