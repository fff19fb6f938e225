/// Wire-service datelines: `WASHINGTON, March 25 (Reuters) - ...` names the source.
enum WireDateline {
    static let agencies: Set<String> = [
        "reuters", "ap", "afp", "bloomberg", "upi", "xinhua", "kyodo", "yonhap", "ttxvn", "vna", "dpa",
        "ansa", "efe", "tass", "ria novosti", "sputnik", "cna", "bernama", "antara", "pti", "ani",
    ]

    /// The agency named in parentheses just before the dash that ends the first paragraph's
    /// dateline (looked for in its first 160 bytes).
    static func source(_ table: LineTable, bodyLines: [Int]) -> String? {
        guard let first = bodyLines.first else { return nil }
        let head = table.canonicalBytes(table.lines[first]).prefix(160)
        for dash in dashes {
            guard let at = LineClassifier.firstOccurrence(of: dash, in: head) else { continue }
            let before = head[..<at]
            guard before.last == 0x29, let open = before.lastIndex(of: 0x28) else { continue }
            let name = String(decoding: before[(open + 1)..<(before.endIndex - 1)], as: UTF8.self)
            if agencies.contains(TextKey.key(name)) { return name }
        }
        return nil
    }

    private static let dashes: [[UInt8]] = [" - ", " – ", " — "].map { Array($0.utf8) }
}
