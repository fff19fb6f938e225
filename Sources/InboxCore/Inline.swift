/// Helpers for single-line text: word splitting, whitespace collapsing, searching.
enum Inline {
    /// The words of display bytes, split on any whitespace (NBSP included).
    static func words(_ bytes: ArraySlice<UInt8>) -> [Substring] {
        // Split on bytes: Character-level splitting would pay for grapheme breaking. The collapsed
        // text has single spaces and none at its ends, so every space ends a word.
        let text = collapse(bytes)
        let utf8 = text.utf8
        var words: [Substring] = []
        var start = utf8.startIndex
        var i = start
        while i != utf8.endIndex {
            if utf8[i] == 0x20 {
                words.append(text[start..<i])
                start = utf8.index(after: i)
            }
            i = utf8.index(after: i)
        }
        if start != utf8.endIndex { words.append(text[start...]) }
        return words
    }

    /// Display bytes with every whitespace run turned into one space and the ends trimmed.
    ///
    /// Written through a pointer into a scratch buffer of the input's size: the output never
    /// outgrows the input (a space is written only for a run of at least one whitespace byte).
    /// Appending byte by byte paid a capacity and uniqueness check per byte, and an array as the
    /// buffer paid a heap allocation and a run-time metadata lookup on top of the String's own.
    static func collapse(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBufferPointer { p in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: p.count) { o in
                var n = 0
                var pending = false
                var i = 0
                while i < p.count {
                    let b = p[i]
                    if b < 0x80 {
                        if UTF8Encoding.isASCIISpace(b) {
                            pending = n > 0
                        } else {
                            if pending { o[n] = 0x20; n += 1; pending = false }
                            o[n] = b
                            n += 1
                        }
                        i += 1
                        continue
                    }
                    guard let (v, len) = UTF8Encoding.scalar(at: i, in: p) else { break }
                    if UTF8Encoding.isUnicodeSpace(v) {
                        pending = n > 0
                    } else if !UTF8Encoding.isZeroWidth(v) {
                        if pending { o[n] = 0x20; n += 1; pending = false }
                        for k in 0..<len { o[n + k] = p[i + k] }
                        n += len
                    }
                    i += len
                }
                return String(knownValidUTF8: UnsafeBufferPointer(rebasing: o[..<n]))
            }
        }
    }
}
