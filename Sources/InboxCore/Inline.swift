/// Helpers for single-line text: word splitting, whitespace collapsing, searching.
enum Inline {
    /// The words of display bytes, split on any whitespace (NBSP included).
    static func words(_ bytes: ArraySlice<UInt8>) -> [Substring] {
        // Split on bytes: Character-level splitting would pay for grapheme breaking.
        collapse(bytes).utf8.split(separator: 0x20).compactMap { Substring($0) }
    }

    /// Display bytes with every whitespace run turned into one space and the ends trimmed.
    static func collapse(_ bytes: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var pending = false
        bytes.withUnsafeBufferPointer { p in
            var i = 0
            while i < p.count {
                let b = p[i]
                if b < 0x80 {
                    if UTF8Encoding.isASCIISpace(b) {
                        pending = !out.isEmpty
                    } else {
                        if pending { out.append(0x20); pending = false }
                        out.append(b)
                    }
                    i += 1
                    continue
                }
                guard let (v, len) = UTF8Encoding.scalar(at: i, in: p) else { break }
                if UTF8Encoding.isUnicodeSpace(v) {
                    pending = !out.isEmpty
                } else if !UTF8Encoding.isZeroWidth(v) {
                    if pending { out.append(0x20); pending = false }
                    out.append(contentsOf: p[i..<(i + len)])
                }
                i += len
            }
        }
        return String(knownValidUTF8: out)
    }
}
