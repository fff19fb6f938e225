/// Lowercase, diacritic-free keys for matching words whatever their accents or case.
enum TextKey {
    /// Base letter of each precomposed Latin letter the key folds (Vietnamese and Western
    /// European), lowercase. Built once; immutable.
    private static let bases: [UInt32: UInt8] = {
        let groups: [(String, Character)] = [
            ("àáảãạăằắẳẵặâầấẩẫậäåāąǎ", "a"), ("èéẻẽẹêềếểễệëēęě", "e"), ("ìíỉĩịîïīį", "i"),
            ("òóỏõọôồốổỗộơờớởỡợöøōő", "o"), ("ùúủũụưừứửữựûüūůű", "u"), ("ỳýỷỹỵÿ", "y"),
            ("đð", "d"), ("çćč", "c"), ("ñńň", "n"), ("śšş", "s"), ("źžż", "z"), ("ł", "l"),
            ("ř", "r"), ("ť", "t"), ("ğ", "g"),
        ]
        var m: [UInt32: UInt8] = [:]
        for (letters, base) in groups {
            let b = base.asciiValue ?? 0x3F
            for s in letters.unicodeScalars { m[s.value] = b }
            for s in letters.uppercased().unicodeScalars { m[s.value] = b }
        }
        m[0xD0] = 0x64  // Ð
        m[0x110] = 0x64  // Đ
        return m
    }()

    /// Lowercased, diacritics removed, `đ` → `d`; other characters lowercased as they are.
    static func key(_ s: String) -> String {
        var out = String.UnicodeScalarView()
        for sc in s.unicodeScalars {
            let v = sc.value
            if v < 0x80 {
                out.append(v >= 0x41 && v <= 0x5A ? Unicode.Scalar(UInt8(v + 0x20)) : sc)
            } else if let b = bases[v] {
                out.append(Unicode.Scalar(b))
            } else if v >= 0x300 && v <= 0x36F {
                continue  // a stray combining mark is a diacritic too
            } else {
                out.append(contentsOf: sc.properties.lowercaseMapping.unicodeScalars)
            }
        }
        return String(out)
    }

    /// ``key(_:)`` of canonical bytes.
    static func key(_ bytes: ArraySlice<UInt8>) -> String {
        key(String(decoding: bytes, as: UTF8.self))
    }
}
