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
        String(knownValidUTF8: keyBytes(p))
    }

    /// ``key(_:)`` as UTF-8 bytes, for lookups that should not build a String.
    static func keyBytes(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        bytes.withUnsafeBufferPointer { keyBytes($0) }
    }

    static func keyBytes(_ p: UnsafeBufferPointer<UInt8>) -> [UInt8] {
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
        return out
    }

    /// FNV-1a of ``keyBytes(_:)`` without building them, with the first key byte (0 if none).
    /// Nil when a character outside the fast tables occurs (the caller then builds the key).
    static func keyHash(_ c: ArraySlice<UInt8>) -> (hash: UInt64, first: UInt8)? {
        c.withUnsafeBufferPointer { p in
            var h: UInt64 = 0xCBF2_9CE4_8422_2325
            var first: UInt8 = 0
            var i = 0
            while i < p.count {
                let b = p[i]
                var k: UInt8
                if b < 0x80 {
                    k = b >= 0x41 && b <= 0x5A ? b + 0x20 : b
                    i += 1
                } else {
                    guard let (v, len) = UTF8Encoding.scalar(at: i, in: p) else { return nil }
                    k = base(v)
                    if k == 0 { return nil }
                    i += len
                }
                if first == 0 { first = k }
                h = (h ^ UInt64(k)) &* 0x0000_0100_0000_01B3
            }
            return (h, first)
        }
    }

    /// FNV-1a, for cheap membership tests against small fixed lists (confirmed on a hit).
    static func fnv(_ bytes: some Sequence<UInt8>) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3 }
        return h
    }
}
