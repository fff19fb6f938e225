/// Helpers for single-line text: word splitting, whitespace collapsing, searching.
enum Inline {
    /// The words of display bytes, split on any whitespace (NBSP included).
    static func words(_ bytes: ArraySlice<UInt8>) -> [Substring] {
        collapse(bytes).split(separator: " ")
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
        return String(decoding: out, as: UTF8.self)
    }

    /// The last `maxBytes` bytes of `s` or fewer, starting on a character boundary.
    static func suffix(_ s: String, maxBytes: Int) -> Substring {
        let utf8 = s.utf8
        guard utf8.count > maxBytes else { return Substring(s) }
        var i = utf8.index(utf8.endIndex, offsetBy: -maxBytes)
        while i < utf8.endIndex && (utf8[i] & 0xC0) == 0x80 {
            i = utf8.index(after: i)
        }
        return Substring(s.unicodeScalars[i...])
    }

    /// The index just after the last occurrence of `needle` in `hay`, comparing UTF-8 bytes.
    static func endOfLastOccurrence(of needle: String, in hay: Substring) -> Substring.Index? {
        let n = Array(needle.utf8)
        let h = Array(hay.utf8)
        guard !n.isEmpty, h.count >= n.count else { return nil }
        var start = h.count - n.count
        while start >= 0 {
            if h[start] == n[0] && h[start..<(start + n.count)].elementsEqual(n) {
                return hay.utf8.index(hay.utf8.startIndex, offsetBy: start + n.count)
            }
            start -= 1
        }
        return nil
    }
}
