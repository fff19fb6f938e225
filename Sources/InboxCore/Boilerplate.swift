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

    static func isBoilerplate(_ key: String) -> Bool {
        if exact.contains(key) { return true }
        guard let first = key.utf8.first else { return false }
        if prefixLeads.contains(first) && prefixes.contains(where: { key.hasPrefix($0) }) { return true }
        // "3 comments:", "12 binh luan"
        guard first >= 0x30 && first <= 0x39 else { return false }
        let parts = key.split(separator: " ")
        if parts.count >= 2, parts[0].allSatisfy(\.isNumber) {
            let rest = parts[1...].joined(separator: " ")
            return ["comment:", "comments:", "comments", "binh luan", "binh luan:"].contains(rest)
        }
        return false
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
    /// `(thực hiện)`. Returns the credited source when there is one. `words` are the line's
    /// display words, aligned with the key's.
    static func footer(key: String, words: [Substring]) -> LineClass? {
        var text = words.joined(separator: " ")
        var k = key
        if text.hasPrefix("(") && text.hasSuffix(")") && text.count > 2 && k.count > 2 {
            text = String(text.dropFirst().dropLast())
            k = String(k.dropFirst().dropLast())
        }
        let tw = text.split(separator: " ")
        let kw = k.split(separator: " ")
        guard let first = kw.first, tw.count == kw.count else { return nil }
        let colon = first.hasSuffix(":")
        let lead = colon ? first.dropLast() : first
        let rest = tw.dropFirst().filter { $0 != ":" }
        if lead == "nguon" {
            if !colon, let second = rest.first, TextKey.key(String(second)).hasPrefix("anh") {
                return .boilerplate  // "Nguồn ảnh ..." is a photo credit
            }
            guard (1...8).contains(rest.count) else { return nil }
            return .footer(source: clean(rest))
        }
        if lead == "theo" {
            guard (1...6).contains(rest.count) else { return nil }
            let restKey = TextKey.key(rest.joined(separator: " "))
            if outletKeys.contains(restKey) || rest.allSatisfy({ LineClassifier.isNameWord($0) || $0 == "&" }) {
                return .footer(source: clean(rest))
            }
        }
        return nil
    }

    private static func clean(_ words: [Substring]) -> String? {
        var s = words.joined(separator: " ")
        while let l = s.last, ".,;".contains(l) { s.removeLast() }
        return s.isEmpty ? nil : s
    }
}
