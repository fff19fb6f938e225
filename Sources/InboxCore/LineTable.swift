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

    /// The input bytes, in which each line's display range (NFC, zero-width characters and BOMs
    /// removed, trailing whitespace trimmed) lies; bytes between ranges are line breaks or
    /// leftovers of compaction and belong to no line.
    var display: [UInt8] = []
    /// Canonical form of every line: as display, plus every whitespace run collapsed to one
    /// ASCII space with no leading or trailing space, `Ð`/`ð` as `Đ`/`đ`, tones folded to old style.
    var canonical: [UInt8] = []
    var lines: [Line] = []

    func canonicalBytes(_ line: Line) -> ArraySlice<UInt8> { canonical[line.canonicalRange] }
    func contentBytes(_ line: Line) -> ArraySlice<UInt8> { display[line.contentRange] }

    func canonicalString(_ line: Line) -> String {
        String(knownValidUTF8: canonical[line.canonicalRange])
    }

    func contentString(_ line: Line) -> String {
        String(knownValidUTF8: display[line.contentRange])
    }
}
