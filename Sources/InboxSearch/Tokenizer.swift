import InboxCore

/// Splits text into index terms.
///
/// A term is a maximal run of letters, combining marks and digits (Unicode general categories
/// L*, M*, N*) in ``Normalizer/searchKey(_:)`` of the text: lowercase, diacritics removed, `đ` as
/// `d`. Everything else separates terms, so `25/3` gives `25` and `3`, and `Việt-Mỹ` gives `viet`
/// and `my`. Tone placement (`hòa`/`hoà`) cannot matter because every tone mark is removed.
enum Tokenizer {
    /// The terms of display or raw text, in order.
    static func terms(_ text: String) -> [String] {
        var out: [String] = []
        forEachTerm(ofKey: key(text)) { out.append($0) }
        return out
    }

    /// The search key of `text`; plain ASCII without controls skips the full normalizer (same result).
    static func key(_ text: String) -> String {
        var ascii = true
        var hasUpper = false
        for b in text.utf8 {
            if b >= 0x80 || b < 0x20 {
                ascii = false
                break
            }
            if b >= 0x41 && b <= 0x5A { hasUpper = true }
        }
        guard ascii else { return Normalizer.searchKey(text) }
        return hasUpper ? text.lowercased() : text
    }

    /// Calls `body` with each term of an already computed search key.
    static func forEachTerm(ofKey key: String, _ body: (String) -> Void) {
        var key = key
        key.withUTF8 { buf in
            var start = -1
            var i = 0
            let n = buf.count
            while i < n {
                let b = buf[i]
                let length: Int
                let word: Bool
                if b < 0x80 {
                    length = 1
                    word = isASCIIWord(b)
                } else {
                    let (value, len) = decodeScalar(buf, at: i)
                    length = len
                    word = isWordScalar(value)
                }
                if word {
                    if start < 0 { start = i }
                } else if start >= 0 {
                    body(String(decoding: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self))
                    start = -1
                }
                i += length
            }
            if start >= 0 {
                body(String(decoding: UnsafeBufferPointer(rebasing: buf[start..<n]), as: UTF8.self))
            }
        }
    }

    @inline(__always)
    static func isASCIIWord(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || ((b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A)
    }

    /// Letters, marks and numbers.
    static func isWordScalar(_ v: UInt32) -> Bool {
        if v < 0x80 { return isASCIIWord(UInt8(v)) }
        if v >= 0xC0 && v < 0x250 { return v != 0xD7 && v != 0xF7 }
        if v >= 0x1E00 && v <= 0x1EFF { return true }  // Latin Extended Additional (Vietnamese)
        if v >= 0x300 && v <= 0x36F { return true }  // combining diacritics
        guard let s = Unicode.Scalar(v) else { return false }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    /// Decodes the scalar at a lead byte of valid UTF-8.
    @inline(__always)
    static func decodeScalar(_ buf: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
        let b0 = UInt32(buf[i])
        if b0 < 0xE0 {
            return (((b0 & 0x1F) << 6) | (UInt32(buf[i + 1]) & 0x3F), 2)
        }
        if b0 < 0xF0 {
            return (((b0 & 0x0F) << 12) | ((UInt32(buf[i + 1]) & 0x3F) << 6) | (UInt32(buf[i + 2]) & 0x3F), 3)
        }
        let v = ((b0 & 0x07) << 18) | ((UInt32(buf[i + 1]) & 0x3F) << 12) | ((UInt32(buf[i + 2]) & 0x3F) << 6)
            | (UInt32(buf[i + 3]) & 0x3F)
        return (v, 4)
    }
}
