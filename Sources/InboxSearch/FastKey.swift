import InboxCore

/// A per-scalar table of ``Normalizer/searchKey(_:)`` for the characters news text is made of.
///
/// The search key is lowercase with diacritics removed, so for text in NFC it works scalar by
/// scalar: what canonical form does on the way (NFC, tone-placement folding, whitespace
/// collapsing, `Ð` → `Đ`, removing zero-width characters) either changes nothing that survives
/// the key or only changes separators. The table holds, for each scalar below U+0250, in
/// U+1E00–U+1EFF and in U+2000–U+206F, `searchKey` of that scalar alone: term bytes, a
/// separator (whitespace, controls, punctuation) or nothing (zero-width characters, which join).
/// A text with any other scalar (other scripts, loose combining marks as in NFD) is not handled.
final class FastKey: Sendable {
    static let shared = FastKey()

    private enum Kind: UInt32 {
        case unsupported = 0
        case separator, removed, term
    }

    /// Per slot: kind in bits 0-1, term length in bits 2-7, offset into `bytes` from bit 8.
    private let entries: [UInt32]
    private let bytes: [UInt8]
    /// The most term bytes one input byte can turn into.
    private let maxExpansion: Int

    private static let slots = 0x250 + 0x100 + 0x70

    @inline(__always)
    private static func slot(_ v: UInt32) -> Int {
        if v < 0x250 { return Int(v) }
        if v >= 0x1E00 && v < 0x1F00 { return 0x250 + Int(v - 0x1E00) }
        if v >= 0x2000 && v < 0x2070 { return 0x350 + Int(v - 0x2000) }
        return -1
    }

    private init() {
        var entries = [UInt32](repeating: Kind.unsupported.rawValue, count: Self.slots)
        var bytes: [UInt8] = []
        var expansion = 1
        let ranges: [Range<UInt32>] = [0..<0x250, 0x1E00..<0x1F00, 0x2000..<0x2070]
        for range in ranges {
            for v in range {
                guard let scalar = Unicode.Scalar(v) else { continue }
                let k = Self.slot(v)
                if scalar.properties.isWhitespace || scalar.properties.generalCategory == .control {
                    entries[k] = Kind.separator.rawValue
                    continue
                }
                let key = Normalizer.searchKey(String(Character(scalar)))
                let values = key.unicodeScalars.map(\.value)
                if values.isEmpty {
                    entries[k] = Kind.removed.rawValue
                } else if values.allSatisfy(Tokenizer.isWordScalar) && key.utf8.count < 64 {
                    entries[k] = Kind.term.rawValue | UInt32(key.utf8.count) << 2 | UInt32(bytes.count) << 8
                    let inputBytes = String(Character(scalar)).utf8.count
                    expansion = max(expansion, (key.utf8.count + inputBytes - 1) / inputBytes)
                    bytes.append(contentsOf: key.utf8)
                } else if !values.contains(where: Tokenizer.isWordScalar) {
                    entries[k] = Kind.separator.rawValue
                }
            }
        }
        self.entries = entries
        self.bytes = bytes
        maxExpansion = expansion
    }

    /// Appends the terms of valid UTF-8 text to `list`; false, leaving `list` as it was, when
    /// the text has a scalar outside the table.
    func append(_ text: UnsafeBufferPointer<UInt8>, to list: inout TermList) -> Bool {
        let oldBytes = list.bytes.count
        let oldTerms = list.ends.count
        // A term byte never comes from fewer than 1/maxExpansion input bytes.
        list.bytes.append(contentsOf: repeatElement(0, count: text.count * maxExpansion + 1))
        let written = list.bytes.withUnsafeMutableBufferPointer { out in
            entries.withUnsafeBufferPointer { entries in
                bytes.withUnsafeBufferPointer { table in
                    Self.write(text, entries, table, into: out, from: oldBytes, ends: &list.ends)
                }
            }
        }
        guard let written else {
            list.bytes.removeSubrange(oldBytes...)
            list.ends.removeSubrange(oldTerms...)
            return false
        }
        list.bytes.removeSubrange(written...)
        return true
    }

    /// Writes the terms from `start` in `out`, appending their ends; the end of what was
    /// written, or nil at an unsupported scalar.
    private static func write(
        _ text: UnsafeBufferPointer<UInt8>, _ entries: UnsafeBufferPointer<UInt32>, _ table: UnsafeBufferPointer<UInt8>,
        into out: UnsafeMutableBufferPointer<UInt8>, from start: Int, ends: inout [Int32]
    ) -> Int? {
        let n = text.count
        var length = start
        var termStart = start
        var i = 0
        while i < n {
            let b = text[i]
            if b < 0x80 {
                if Tokenizer.isASCIIWord(b) {
                    out[length] = b >= 0x41 && b <= 0x5A ? b | 0x20 : b
                    length += 1
                } else if length > termStart {
                    ends.append(Int32(length))
                    termStart = length
                }
                i += 1
                continue
            }
            let (v, len) = Tokenizer.decodeScalar(text, at: i)
            let k = slot(v)
            if k < 0 { return nil }
            let entry = entries[k]
            switch entry & 3 {
            case Kind.term.rawValue:
                let offset = Int(entry >> 8)
                for j in 0..<Int((entry >> 2) & 63) {
                    out[length] = table[offset + j]
                    length += 1
                }
            case Kind.separator.rawValue:
                if length > termStart {
                    ends.append(Int32(length))
                    termStart = length
                }
            case Kind.removed.rawValue:
                break
            default:
                return nil
            }
            i += len
        }
        if length > termStart { ends.append(Int32(length)) }
        return length
    }
}
