/// Known non-article lines: blog chrome, footers and credits, outlet names.
///
/// Everything is matched on ``TextKey`` keys (lowercase, no diacritics), whole line.
enum Boilerplate {
    /// Lines blog platforms and news sites wrap around an article.
    static let exact: Set<String> = [
        "no comments:", "no comments", "post a comment", "view my stats", "newer post", "older post",
        "home", "newer post older post home", "subscribe to: post comments (atom)",
        "subscribe to: posts (atom)", "share this:", "share", "like this:", "loading...", "related",
        "related posts", "email this", "blogthis!", "share to twitter", "share to facebook",
        "share to pinterest", "advertisement", "back to top", "print", "tin lien quan",
        "tin cung chuyen muc", "xem them", "binh luan", "chia se", "quang cao", "in bai viet",
        "gui bai viet", "(thuc hien)", "(tong hop)", "(bien dich)", "(luoc dich)", "(luoc trich)",
        "(pv)", "(phong vien)", "(ctv)", "(nhom pv)", "doc them", "tin khac",
    ]

    static let prefixes = [
        "labels:", "posted by ", "tags:", "tag:", "tu khoa:", "nhan:", "chia se:", "xem them:",
        "doc them:", "tin lien quan:",
    ]

    private static let prefixLeads = Set(prefixes.compactMap { $0.utf8.first })
    private static let prefixBytes = prefixes.map { Array($0.utf8) }
    private static let exactHashes = exact.map { TextKey.fnv($0.utf8) }.sorted()
    private static let outletHashes = outletKeys.map { TextKey.fnv($0.utf8) }.sorted()

    private static func sortedContains(_ a: [UInt64], _ v: UInt64) -> Bool {
        var lo = 0, hi = a.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if a[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo < a.count && a[lo] == v
    }

    /// ``isBoilerplate(_:)`` on key bytes; builds a String only to confirm a likely hit.
    static func isBoilerplate(keyBytes k: [UInt8]) -> Bool {
        guard let first = k.first else { return false }
        if sortedContains(exactHashes, TextKey.fnv(k)) && exact.contains(String(decoding: k, as: UTF8.self)) {
            return true
        }
        if prefixLeads.contains(first) && prefixBytes.contains(where: { k.starts(with: $0) }) { return true }
        return first >= 0x30 && first <= 0x39 && isBoilerplate(String(decoding: k, as: UTF8.self))
    }

    /// Quick verdict on canonical bytes from their key hash: `.boilerplate`, `.outlet`, or nil
    /// when the line is neither. Only likely hits build the key to confirm.
    enum Known { case boilerplate, outlet }

    static func known(_ c: ArraySlice<UInt8>) -> Known? {
        guard let (hash, first) = TextKey.keyHash(c) else {
            let k = TextKey.keyBytes(c)
            return isBoilerplate(keyBytes: k) ? .boilerplate : (isOutlet(keyBytes: k) ? .outlet : nil)
        }
        let exactHit = sortedContains(exactHashes, hash)
        let outletHit = sortedContains(outletHashes, hash)
        let maybePrefix = prefixLeads.contains(first) || (first >= 0x30 && first <= 0x39)
        guard exactHit || outletHit || maybePrefix else { return nil }
        let k = TextKey.keyBytes(c)
        if isBoilerplate(keyBytes: k) { return .boilerplate }
        return isOutlet(keyBytes: k) ? .outlet : nil
    }

    /// Whether key bytes name a known outlet.
    static func isOutlet(keyBytes k: [UInt8]) -> Bool {
        sortedContains(outletHashes, TextKey.fnv(k)) && outletKeys.contains(String(decoding: k, as: UTF8.self))
    }

    static func isBoilerplate(_ key: String) -> Bool {
        if exact.contains(key) { return true }
        guard let first = key.utf8.first else { return false }
        if prefixLeads.contains(first) && prefixes.contains(where: { key.hasPrefix($0) }) { return true }
        // "3 comments:", "12 binh luan"
        let bytes = Array(key.utf8)
        guard let firstNonDigit = bytes.firstIndex(where: { $0 < 0x30 || $0 > 0x39 }), firstNonDigit > 0,
            bytes.count - firstNonDigit <= 12
        else { return false }
        let rest = String(decoding: bytes[firstNonDigit...], as: UTF8.self)
        return [" comment:", " comments:", " comments", " binh luan", " binh luan:"].contains(rest)
    }

    /// Outlet names as a line of their own (keys).
    static let outletKeys: Set<String> = [
        "voa tieng viet", "voa", "voa news", "bbc tieng viet", "bbc news tieng viet", "bbc", "bbc news",
        "rfa", "rfa tieng viet", "rfi", "rfi tieng viet", "ttxvn", "vna", "vnexpress", "tuoi tre",
        "tuoi tre online", "thanh nien", "dan tri", "bao quoc te", "the gioi & viet nam", "qdnd",
        "quan doi nhan dan", "bao quan doi nhan dan", "nhan dan", "bao nhan dan", "vietnamnet",
        "vietnamplus", "zing news", "znews", "tien phong", "lao dong", "nguoi lao dong",
        "sai gon giai phong", "cong an nhan dan", "vov", "vtv", "vtc news", "reuters",
        "associated press", "afp", "bloomberg", "cnn", "the new york times", "the washington post",
        "nikkei asia", "kyodo", "xinhua", "yonhap", "bao chinh phu", "vietnam news", "vneconomy",
        "cafef", "kenh14", "soha", "baomoi", "bao moi", "the guardian", "al jazeera", "dw",
        "dw tieng viet", "nguoi viet", "nguoi viet online",
    ]

    /// Footer credit lines: `Nguồn QĐND`, `Nguồn: TTXVN`, `Theo VOA Tiếng Việt`, `(Theo AFP)`,
    /// `(thực hiện)`. Returns the credited source (display form) when there is one. Decided on
    /// the key bytes of the canonical line; the display text is only read for the source.
    static func footer(canonical c: ArraySlice<UInt8>, display d: ArraySlice<UInt8>) -> LineClass? {
        var key = TextKey.keyBytes(c)[...]
        let parenthesised = key.first == 0x28 && key.last == 0x29 && key.count > 2
        if parenthesised { key = key.dropFirst().dropLast() }
        let words = key.split(separator: 0x20)
        guard let first = words.first else { return nil }
        let colon = first.last == 0x3A
        let lead = colon ? first.dropLast() : first
        let rest = words.dropFirst().filter { !($0.count == 1 && $0.first == 0x3A) }
        if lead.elementsEqual("nguon".utf8) {
            if !colon, let second = words.dropFirst().first, second.starts(with: "anh".utf8) {
                return .boilerplate  // "Nguồn ảnh ..." is a photo credit
            }
            guard (1...8).contains(rest.count) else { return nil }
            return .footer(source: source(d, parenthesised: parenthesised))
        }
        if lead.elementsEqual("theo".utf8), (1...6).contains(rest.count), let from = rest.first?.startIndex {
            let restKey = Array(key[from...])
            let canonicalWords = Inline.words(c).dropFirst()
            if isOutlet(keyBytes: restKey)
                || canonicalWords.allSatisfy({ LineClassifier.isNameWord($0.hasSuffix(")") ? $0.dropLast() : $0) || $0 == "&" })
            {
                return .footer(source: source(d, parenthesised: parenthesised))
            }
        }
        return nil
    }

    /// The display text after the lead word (and a lone colon), without parentheses or final
    /// punctuation.
    private static func source(_ d: ArraySlice<UInt8>, parenthesised: Bool) -> String? {
        var words = Inline.words(d)[...]
        if parenthesised, let f = words.first, let l = words.last {
            words[words.startIndex] = f.dropFirst()
            words[words.endIndex - 1] = (words.count == 1 ? words[words.startIndex] : l).dropLast()
        }
        words = words.dropFirst()
        while let f = words.first, f == ":" { words = words.dropFirst() }
        return clean(Array(words))
    }

    private static func clean(_ words: [Substring]) -> String? {
        var s = words.joined(separator: " ")
        while let l = s.last, ".,;".contains(l) { s.removeLast() }
        return s.isEmpty ? nil : s
    }
}
