import Foundation
@testable import InboxCore

/// Fixture files and the byte-level variants the hash must see through.
enum Fixtures {
    /// Repository root: three levels up from this file (Tests/InboxCoreTests/Fixtures.swift).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let seedsDir = root.appendingPathComponent("seeds")
    static let corpusScripts = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/corpus")

    /// The seed file whose name starts with `prefix` ("000"...).
    static func seed(_ prefix: String) throws -> [UInt8] {
        let names = try FileManager.default.contentsOfDirectory(atPath: seedsDir.path).sorted()
        guard let name = names.first(where: { $0.hasPrefix(prefix) }) else {
            throw FixtureError.missing("seed \(prefix) in \(seedsDir.path)")
        }
        return try [UInt8](Data(contentsOf: seedsDir.appendingPathComponent(name)))
    }

    static func seedText(_ prefix: String) throws -> String {
        String(decoding: try seed(prefix), as: UTF8.self)
    }

    enum FixtureError: Error { case missing(String), unencodable(String) }

    // MARK: variants

    static func utf8(_ s: String) -> [UInt8] { Array(s.utf8) }

    static func withBOM(_ s: String) -> [UInt8] { [0xEF, 0xBB, 0xBF] + Array(s.utf8) }

    static func utf16(_ s: String, littleEndian: Bool) -> [UInt8] {
        var out: [UInt8] = littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]
        for u in s.utf16 {
            let hi = UInt8(u >> 8), lo = UInt8(u & 0xFF)
            out += littleEndian ? [lo, hi] : [hi, lo]
        }
        return out
    }

    static func crlf(_ s: String) -> String {
        s.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
    }

    static func nfd(_ s: String) -> String { s.decomposedStringWithCanonicalMapping }

    /// Every 7th space becomes NBSP, lines get trailing spaces/NBSP, some get indented.
    static func padded(_ s: String) -> String {
        var k = 0
        let lines = s.components(separatedBy: "\n").map { line -> String in
            k += 1
            var l = String(line.map { c -> Character in
                if c == " " { k += 1; return k % 7 == 0 ? "\u{00A0}" : " " }
                return c
            })
            if k % 3 == 0 { l += " \u{00A0} " }
            if k % 5 == 0 { l = "  " + l }
            return l.replacingOccurrences(of: ". ", with: ".  ")
        }
        return lines.joined(separator: "\n")
    }

    /// Windows-1258: each character in the code page if it is there, else (like Python's
    /// encoder after decomposing only the tone marks) its base letter followed by the tone mark.
    /// Characters the code page cannot express at all (emoji) become `?`.
    static func windows1258(_ s: String) throws -> [UInt8] {
        var reverse: [UInt32: UInt8] = [:]
        for (i, v) in Windows1258.high.enumerated() where v != 0 { reverse[UInt32(v)] = UInt8(0x80 + i) }
        let toneMarks: Set<UInt32> = [0x300, 0x301, 0x303, 0x309, 0x323]
        var out: [UInt8] = []
        for ch in s.precomposedStringWithCanonicalMapping {
            for scalar in String(ch).unicodeScalars {
                let v = scalar.value
                if v < 0x80 { out.append(UInt8(v)); continue }
                if let b = reverse[v] { out.append(b); continue }
                let parts = String(scalar).decomposedStringWithCanonicalMapping.unicodeScalars
                let marks = parts.filter { toneMarks.contains($0.value) }
                var rest = String.UnicodeScalarView()
                rest.append(contentsOf: parts.filter { !toneMarks.contains($0.value) })
                for b in String(rest).precomposedStringWithCanonicalMapping.unicodeScalars {
                    if b.value < 0x80 { out.append(UInt8(b.value)) }
                    else if let x = reverse[b.value] { out.append(x) }
                    else { out.append(0x3F) }
                }
                for m in marks {
                    guard let x = reverse[m.value] else { throw FixtureError.unencodable(String(scalar)) }
                    out.append(x)
                }
            }
        }
        return out
    }

    /// The same text with every Đ written as the look-alike Ð (U+00D0).
    static func eth(_ s: String) -> String {
        s.replacingOccurrences(of: "Đ", with: "Ð").replacingOccurrences(of: "đ", with: "ð")
    }

    /// A repost: a blog's date line on top, the blog's chrome at the bottom.
    static func repost(_ s: String) -> String {
        "Monday, 1 April 2024\n\n" + s + "\n\n\u{00A0}\n\nNo comments:\n\nPost a Comment\n\nView My Stats\n"
    }

    /// The same article with the first digit of its last body paragraph changed.
    static func editedNumber(_ s: String, article: Article) -> String? {
        guard let paragraph = article.body.last(where: { $0.contains(where: \.isNumber) }),
            let range = s.range(of: paragraph),
            let digitIndex = paragraph.firstIndex(where: \.isNumber),
            let d = paragraph[digitIndex].wholeNumberValue
        else { return nil }
        var edited = paragraph
        edited.replaceSubrange(digitIndex...digitIndex, with: String((d + 1) % 10))
        return s.replacingCharacters(in: range, with: edited)
    }

    static func bytesString(_ s: String) -> [UInt8] { Array(s.utf8) }
}
