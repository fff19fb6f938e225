/// Vietnamese tone-mark placement in the open-syllable clusters oa, oe and uy.
///
/// "Old style" puts the tone on the first vowel (`hòa`, `khỏe`, `thủy`), "new style" on the second
/// (`hoà`, `khoẻ`, `thuỷ`). Both are correct Vietnamese, so the canonical form folds every text to
/// the old style, exactly like the reference normalizer (`normalize.py`): only when the cluster
/// ends the syllable (the next character is not a letter), never for `uy` after `q`/`Q` (`quý`,
/// `quỳ`), all five tones, upper and lower case. `hoàng`, `toàn`, `khoảng`, `huyền`, `ngoài` and
/// `xoáy` are the same in both styles and never touched. Input is expected in NFC.
enum ToneFolding {
    // ASCII bases.
    static let o: UInt8 = 0x6F, O: UInt8 = 0x4F, u: UInt8 = 0x75, U: UInt8 = 0x55
    static let q: UInt8 = 0x71, Q: UInt8 = 0x51

    /// Toned forms of each base letter, tone order grave, acute, hook above, tilde, dot below.
    private static let table: [UInt32] = [
        0xE0, 0xE1, 0x1EA3, 0xE3, 0x1EA1,  // a
        0xC0, 0xC1, 0x1EA2, 0xC3, 0x1EA0,  // A
        0xE8, 0xE9, 0x1EBB, 0x1EBD, 0x1EB9,  // e
        0xC8, 0xC9, 0x1EBA, 0x1EBC, 0x1EB8,  // E
        0xF2, 0xF3, 0x1ECF, 0xF5, 0x1ECD,  // o
        0xD2, 0xD3, 0x1ECE, 0xD5, 0x1ECC,  // O
        0xF9, 0xFA, 0x1EE7, 0x169, 0x1EE5,  // u
        0xD9, 0xDA, 0x1EE6, 0x168, 0x1EE4,  // U
        0x1EF3, 0xFD, 0x1EF7, 0x1EF9, 0x1EF5,  // y
        0x1EF2, 0xDD, 0x1EF6, 0x1EF8, 0x1EF4,  // Y
    ]

    /// The toned form of base letter `base` (a e o u y, either case) with tone 0...4.
    @inline(__always)
    static func toned(_ base: UInt8, _ tone: UInt8) -> UInt32 {
        let row: Int
        switch base {
        case 0x61: row = 0
        case 0x41: row = 1
        case 0x65: row = 2
        case 0x45: row = 3
        case 0x6F: row = 4
        case 0x4F: row = 5
        case 0x75: row = 6
        case 0x55: row = 7
        case 0x79: row = 8
        default: row = 9
        }
        return table[row * 5 + Int(min(tone, 4))]
    }

    /// The base letter and tone of a toned a/e/o/u/y (either case), or nil.
    @inline(__always)
    static func split(_ v: UInt32) -> (base: UInt8, tone: UInt8)? {
        switch v {
        case 0xE0: (0x61, 0)
        case 0xE1: (0x61, 1)
        case 0x1EA3: (0x61, 2)
        case 0xE3: (0x61, 3)
        case 0x1EA1: (0x61, 4)
        case 0xC0: (0x41, 0)
        case 0xC1: (0x41, 1)
        case 0x1EA2: (0x41, 2)
        case 0xC3: (0x41, 3)
        case 0x1EA0: (0x41, 4)
        case 0xE8: (0x65, 0)
        case 0xE9: (0x65, 1)
        case 0x1EBB: (0x65, 2)
        case 0x1EBD: (0x65, 3)
        case 0x1EB9: (0x65, 4)
        case 0xC8: (0x45, 0)
        case 0xC9: (0x45, 1)
        case 0x1EBA: (0x45, 2)
        case 0x1EBC: (0x45, 3)
        case 0x1EB8: (0x45, 4)
        case 0xF2: (0x6F, 0)
        case 0xF3: (0x6F, 1)
        case 0x1ECF: (0x6F, 2)
        case 0xF5: (0x6F, 3)
        case 0x1ECD: (0x6F, 4)
        case 0xD2: (0x4F, 0)
        case 0xD3: (0x4F, 1)
        case 0x1ECE: (0x4F, 2)
        case 0xD5: (0x4F, 3)
        case 0x1ECC: (0x4F, 4)
        case 0xF9: (0x75, 0)
        case 0xFA: (0x75, 1)
        case 0x1EE7: (0x75, 2)
        case 0x169: (0x75, 3)
        case 0x1EE5: (0x75, 4)
        case 0xD9: (0x55, 0)
        case 0xDA: (0x55, 1)
        case 0x1EE6: (0x55, 2)
        case 0x168: (0x55, 3)
        case 0x1EE4: (0x55, 4)
        case 0x1EF3: (0x79, 0)
        case 0xFD: (0x79, 1)
        case 0x1EF7: (0x79, 2)
        case 0x1EF9: (0x79, 3)
        case 0x1EF5: (0x79, 4)
        case 0x1EF2: (0x59, 0)
        case 0xDD: (0x59, 1)
        case 0x1EF6: (0x59, 2)
        case 0x1EF8: (0x59, 3)
        case 0x1EF4: (0x59, 4)
        default: nil
        }
    }

    /// Whether `first` + a toned `second` is a new-style cluster (oa, oe, uy), q-rule included.
    @inline(__always)
    static func isNewStylePair(before: UInt32, first: UInt32, secondBase: UInt8) -> Bool {
        switch first {
        case UInt32(o), UInt32(O):
            return secondBase == 0x61 || secondBase == 0x41 || secondBase == 0x65 || secondBase == 0x45
        case UInt32(u), UInt32(U):
            return (secondBase == 0x79 || secondBase == 0x59) && before != UInt32(q) && before != UInt32(Q)
        default:
            return false
        }
    }

    /// New style to old style (`hoà` → `hòa`) over any NFC string.
    static func toOldStyle(_ s: String) -> String {
        var v = s.unicodeScalars.map(\.value)
        var changed = false
        var i = 0
        while i + 1 < v.count {
            if let (base, tone) = split(v[i + 1]),
                isNewStylePair(before: i > 0 ? v[i - 1] : 0, first: v[i], secondBase: base),
                i + 2 == v.count || !Letters.isLetter(v[i + 2])
            {
                v[i] = toned(UInt8(v[i]), tone)
                v[i + 1] = UInt32(base)
                changed = true
            }
            i += 1
        }
        return changed ? string(v) : s
    }

    /// Old style to new style (`hòa` → `hoà`); the inverse mapping, used to build test variants.
    static func toNewStyle(_ s: String) -> String {
        var v = s.unicodeScalars.map(\.value)
        var changed = false
        var i = 0
        while i + 1 < v.count {
            if let (base, tone) = split(v[i]), v[i + 1] < 0x80,
                isOldStylePair(before: i > 0 ? v[i - 1] : 0, firstBase: base, second: UInt8(v[i + 1])),
                i + 2 == v.count || !Letters.isLetter(v[i + 2])
            {
                v[i] = UInt32(base)
                v[i + 1] = toned(UInt8(v[i + 1]), tone)
                changed = true
            }
            i += 1
        }
        return changed ? string(v) : s
    }

    private static func isOldStylePair(before: UInt32, firstBase: UInt8, second: UInt8) -> Bool {
        switch firstBase {
        case o, O:
            return second == 0x61 || second == 0x41 || second == 0x65 || second == 0x45
        case u, U:
            // The reference's lookbehind sees the character before the toned u.
            return (second == 0x79 || second == 0x59) && before != UInt32(q) && before != UInt32(Q)
        default:
            return false
        }
    }

    private static func string(_ values: [UInt32]) -> String {
        var out = String.UnicodeScalarView()
        for x in values { if let s = Unicode.Scalar(x) { out.append(s) } }
        return String(out)
    }
}
