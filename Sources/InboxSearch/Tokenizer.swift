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
        var list = TermList()
        append(text, to: &list)
        return list.strings
    }

    /// Appends the terms of `text` to `list`.
    ///
    /// Text made only of the characters in ``FastKey``'s table (Latin scripts, Vietnamese,
    /// general punctuation; no loose combining marks) is keyed scalar by scalar from that table,
    /// which is built from ``Normalizer/searchKey(_:)`` itself and gives the same terms several
    /// times faster. Anything else goes through ``Normalizer/searchKey(_:)``.
    static func append(_ text: String, to list: inout TermList) {
        var text = text
        let fast = text.withUTF8 { FastKey.shared.append($0, to: &list) }
        if !fast { appendTerms(ofKey: Normalizer.searchKey(text), to: &list) }
    }

    /// Appends the terms of an already computed search key.
    static func appendTerms(ofKey key: String, to list: inout TermList) {
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
                    list.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<i]))
                    list.ends.append(Int32(list.bytes.count))
                    start = -1
                }
                i += length
            }
            if start >= 0 {
                list.bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[start..<n]))
                list.ends.append(Int32(list.bytes.count))
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
        let v =
            ((b0 & 0x07) << 18) | ((UInt32(buf[i + 1]) & 0x3F) << 12) | ((UInt32(buf[i + 2]) & 0x3F) << 6)
            | (UInt32(buf[i + 3]) & 0x3F)
        return (v, 4)
    }
}
