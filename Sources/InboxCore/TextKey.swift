/// Lowercase, diacritic-free keys for matching words whatever their accents or case.
enum TextKey {
    /// Base letter (lowercase ASCII) of U+00C0..<U+0250 and of U+1E00..<U+1F00; 0 = none.
    /// Built once from the letter lists below; immutable.
    private static let tables: (latin: [UInt8], extended: [UInt8]) = {
        let groups: [(String, Character)] = [
            ("àáảãạăằắẳẵặâầấẩẫậäåāąǎ", "a"), ("èéẻẽẹêềếểễệëēęě", "e"), ("ìíỉĩịîïīį", "i"),
            ("òóỏõọôồốổỗộơờớởỡợöøōő", "o"), ("ùúủũụưừứửữựûüūůű", "u"), ("ỳýỷỹỵÿ", "y"),
            ("đð", "d"), ("çćč", "c"), ("ñńň", "n"), ("śšş", "s"), ("źžż", "z"), ("ł", "l"),
            ("ř", "r"), ("ť", "t"), ("ğ", "g"),
        ]
        var latin = [UInt8](repeating: 0, count: 0x250 - 0xC0)
        var extended = [UInt8](repeating: 0, count: 0x100)
        func set(_ v: UInt32, _ b: UInt8) {
            if v >= 0xC0 && v < 0x250 { latin[Int(v - 0xC0)] = b }
            if v >= 0x1E00 && v < 0x1F00 { extended[Int(v - 0x1E00)] = b }
        }
        for (letters, base) in groups {
            let b = base.asciiValue ?? 0x3F
            for s in letters.unicodeScalars { set(s.value, b) }
            for s in letters.uppercased().unicodeScalars { set(s.value, b) }
        }
        set(0xD0, 0x64)  // Ð
        set(0x110, 0x64)  // Đ
        return (latin, extended)
    }()

    @inline(__always)
    private static func base(_ v: UInt32) -> UInt8 {
        if v >= 0xC0 && v < 0x250 { return tables.latin[Int(v - 0xC0)] }
        if v >= 0x1E00 && v < 0x1F00 { return tables.extended[Int(v - 0x1E00)] }
        return 0
    }

    /// Lowercased, diacritics removed, `đ` → `d`; other characters lowercased as they are.
    static func key(_ s: String) -> String {
        var copy = s
        return copy.withUTF8 { (p: UnsafeBufferPointer<UInt8>) in key(p) }
    }

    /// ``key(_:)`` of UTF-8 bytes.
    static func key(_ bytes: ArraySlice<UInt8>) -> String {
        bytes.withUnsafeBufferPointer { key($0) }
    }

    static func key(_ p: UnsafeBufferPointer<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(p.count)
        var i = 0
        while i < p.count {
            let b = p[i]
            if b < 0x80 {
                out.append(b >= 0x41 && b <= 0x5A ? b + 0x20 : b)
                i += 1
                continue
            }
            guard let (v, len) = UTF8Encoding.scalar(at: i, in: p) else { break }
            i += len
            let folded = base(v)
            if folded != 0 {
                out.append(folded)
            } else if v >= 0x300 && v <= 0x36F {
                continue  // a stray combining mark is a diacritic too
            } else if let s = Unicode.Scalar(v) {
                for x in s.properties.lowercaseMapping.unicodeScalars { UTF8Encoding.append(x.value, to: &out) }
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
