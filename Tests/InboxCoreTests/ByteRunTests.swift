import CTextScan
import Testing
@testable import InboxCore

/// The sixteen-byte skips of `CTextScan` against the tables that define the two runs: they must
/// stop exactly where the byte-at-a-time walk would, or at the last whole block before it.
struct ByteRunTests {
    /// Pieces of clean Vietnamese and ASCII (long runs that cross blocks), and single bytes that
    /// matter to one rule or the other (controls, odd leads, stray continuations, o/u before a
    /// lead, Ð, the Ogham space, double spaces).
    static let clean: [[UInt8]] = [
        Array("Việt Nam ".utf8), Array("người ".utf8), Array("Hoa Kỳ, ".utf8), Array("quan hệ".utf8),
        Array("abc".utf8), [0x20], Array("ằ".utf8), Array("đ".utf8), [0x0A], [0x09],
        // New-style clusters and their neighbours: toned a/e after o, toned y after u, either case,
        // and other letters after o/u (uố, ươ, oặ).
        Array("hoà ".utf8), Array("khoẻ".utf8), Array("thuý ".utf8), Array("QUỲ".utf8), Array("HOÁ".utf8),
        Array("oạ".utf8), Array("Oẽ".utf8), Array("uỵ".utf8), Array("uỹ".utf8), Array("quốc ".utf8), Array("người".utf8),
        Array("oặ".utf8), Array("Ý".utf8), Array("ẹ".utf8),
    ]
    static let odd: [UInt8] = [
        0x00, 0x0B, 0x0C, 0x0D, 0x1F, 0x20, 0x4F, 0x55, 0x6F, 0x75, 0x7E, 0x7F, 0x80, 0x90, 0x9A, 0xB0,
        0xB8, 0xBB, 0xBC, 0xBF, 0xC0, 0xC1, 0xC2, 0xC3, 0xCB, 0xCC, 0xDF, 0xE0, 0xE1, 0xE2, 0xE3, 0xEF,
        0xF0, 0xF4, 0xF5, 0xFF,
    ]

    static func buffers(_ count: Int) -> [[UInt8]] {
        var random = RobustnessTests.Rng(state: 0x1E_57AB)
        return (0..<count).map { _ in
            var bytes: [UInt8] = []
            let length = Int(random.next() % 120)
            let oddOneIn = UInt64(1 + random.next() % 40)
            while bytes.count < length {
                if random.next() % oddOneIn == 0 { bytes.append(odd[random.below(odd.count)]) } else { bytes += clean[random.below(clean.count)] }
            }
            return bytes
        }
    }

    /// Where the UTF-8 scan's table walk refuses the first byte from `i` (up to `limit`), and the
    /// multi-byte letters it started before that.
    static func cleanWalk(_ p: [UInt8], from i: Int, limit: Int) -> (end: Int, leads: Int) {
        let t = CleanBytes.table
        var j = i, leads = 0
        while j < limit {
            let need = CleanBytes.need(t[CleanBytes.flagsOffset + Int(p[j - 1])], t[CleanBytes.flagsOffset + Int(p[j - 2])])
            let verdict = t[Int(need) << 8 | Int(p[j])]
            if verdict == 0 { break }
            leads += Int(verdict >> 1)
            j += 1
        }
        return (j, leads)
    }

    @Test func cleanRunSkipStopsWhereTheTableDoes() {
        var checked = 0, wide = 0
        for bytes in Self.buffers(3000) where bytes.count >= 2 {
            bytes.withUnsafeBufferPointer { p in
                for i in 2...bytes.count {
                    let blocksEnd = i + 16 * ((bytes.count - i) / 16)
                    let expected = Self.cleanWalk(bytes, from: i, limit: blocksEnd)
                    // As the scan calls it (thirty-two bytes at a time where the CPU can), and
                    // sixteen at a time alone.
                    var leads = 0
                    let end = inboxd_clean_run_skip(p.baseAddress!, p.count, i, &leads)
                    #expect(end == expected.end && leads == expected.leads, "\(bytes) from \(i)")
                    var narrowLeads = 0
                    let narrowEnd = inboxd_clean_run_skip16(p.baseAddress!, p.count, i, &narrowLeads)
                    #expect(narrowEnd == expected.end && narrowLeads == expected.leads, "\(bytes) from \(i)")
                    if end >= i + 16 { checked += 1 }
                    if end >= i + 32 { wide += 1 }
                }
            }
        }
        // The buffers do give the skip whole clean blocks to take, of both sizes.
        #expect(checked > 10000)
        #expect(wide > 1000)
    }

    /// `cleanRunEnd` as it was before the skip: the table walk alone, then back to a character
    /// boundary.
    @Test func cleanRunEndIsTheTableWalk() {
        for bytes in Self.buffers(3000) where bytes.count >= 2 {
            bytes.withUnsafeBufferPointer { p in
                CleanBytes.table.withUnsafeBufferPointer { table in
                    for i in 2...bytes.count {
                        var (end, leads) = Self.cleanWalk(bytes, from: i, limit: bytes.count)
                        let t = CleanBytes.table
                        let flags1 = t[CleanBytes.flagsOffset + Int(bytes[end - 1])]
                        if CleanBytes.need(flags1, t[CleanBytes.flagsOffset + Int(bytes[end - 2])]) != 0 {
                            end -= flags1 & CleanBytes.leadMask != 0 ? 1 : 2
                            leads -= 1
                        }
                        let got = UTF8Scan.cleanRunEnd(p, from: i, table: table.baseAddress!)
                        #expect(got.0 == end && got.1 == leads, "\(bytes) from \(i)")
                    }
                }
            }
        }
    }

    @Test func plainRunSkipStopsWhereTheTableDoes() {
        let t = PlainBytes.table
        var checked = 0, wide = 0
        for bytes in Self.buffers(3000) where bytes.count >= 1 {
            let n = bytes.count
            func stops(_ j: Int) -> Bool {
                let right = j + 1 < n ? t[512 + Int(bytes[j + 1])] : 0
                return t[Int(bytes[j])] & (PlainBytes.alwaysStops | t[256 + Int(bytes[j - 1])] | right) != 0
            }
            bytes.withUnsafeBufferPointer { p in
                for j in 1...n {
                    let end = inboxd_plain_run_skip(p.baseAddress!, n, j)
                    let blocksEnd = j + 16 * max(0, (n - 1 - j) / 16)
                    var expected = j
                    while expected < blocksEnd && !stops(expected) { expected += 1 }
                    #expect(end == expected, "\(bytes) from \(j)")
                    #expect(inboxd_plain_run_skip16(p.baseAddress!, n, j) == expected, "\(bytes) from \(j)")
                    if end >= j + 16 { checked += 1 }
                    if end >= j + 32 { wide += 1 }
                }
            }
        }
        #expect(checked > 3000)
        #expect(wide > 300)
    }
}

/// The memchr/memrchr searches of `LineClassifier` against plain walks, on slices that do not
/// start at index 0 (their indices must come back in the slice's own terms).
struct ByteSearchTests {
    static func naiveFirst(_ needle: [UInt8], _ hay: ArraySlice<UInt8>) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count else { return nil }
        return (hay.startIndex...(hay.endIndex - needle.count)).first { hay[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    static func naiveLast(_ needle: [UInt8], _ hay: ArraySlice<UInt8>) -> Int? {
        guard !needle.isEmpty, hay.count >= needle.count else { return nil }
        return (hay.startIndex...(hay.endIndex - needle.count)).last { hay[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    @Test func searchesAgreeWithPlainWalks() {
        var random = RobustnessTests.Rng(state: 0x5EA_2C4)
        // A small alphabet, so needles occur often, overlap ("aaa" in "aaaa") and sit at both ends.
        let alphabet: [UInt8] = [0x61, 0x62, 0x20, 0x28, 0x29, 0x3A, 0xC3, 0xA0]
        var found = 0
        for _ in 0..<4000 {
            let bytes = (0..<Int(random.next() % 40)).map { _ in alphabet[random.below(alphabet.count)] }
            let lower = bytes.isEmpty ? 0 : random.below(bytes.count + 1)
            let upper = lower + (bytes.count == lower ? 0 : random.below(bytes.count - lower + 1))
            let hay = bytes[lower..<upper]
            let needle = (0..<(1 + random.below(3))).map { _ in alphabet[random.below(alphabet.count)] }
            let first = LineClassifier.firstOccurrence(of: needle, in: hay)
            #expect(first == Self.naiveFirst(needle, hay), "first \(needle) in \(Array(hay))")
            #expect(LineClassifier.lastOccurrence(of: needle, in: hay) == Self.naiveLast(needle, hay), "last \(needle) in \(Array(hay))")
            #expect(LineClassifier.lastIndex(of: needle[0], in: hay) == hay.lastIndex(of: needle[0]), "last byte \(needle[0]) in \(Array(hay))")
            if first != nil { found += 1 }
        }
        // Both outcomes were exercised many times.
        #expect(found > 500 && found < 3500)
    }
}

/// `Inline.collapse` writes through a pointer into a buffer of the input's size: it must give
/// what a walk over the scalars gives (words split at spaces, zero-width dropped, single spaces).
struct CollapseTests {
    static func reference(_ text: String) -> String {
        var words: [String] = []
        var word = String.UnicodeScalarView()
        for s in text.unicodeScalars {
            if (s.value < 0x80 && UTF8Encoding.isASCIISpace(UInt8(s.value))) || UTF8Encoding.isUnicodeSpace(s.value) {
                if !word.isEmpty { words.append(String(word)) }
                word = String.UnicodeScalarView()
            } else if !UTF8Encoding.isZeroWidth(s.value) {
                word.append(s)
            }
        }
        if !word.isEmpty { words.append(String(word)) }
        return words.joined(separator: " ")
    }

    @Test func collapseMatchesScalarWalk() {
        var random = RobustnessTests.Rng(state: 0xC0_11A5E)
        let valid = RobustnessTests.pieces.filter { String(validating: $0, as: UTF8.self) != nil }
        var shortened = 0
        for _ in 0..<3000 {
            var bytes: [UInt8] = []
            for _ in 0..<random.below(24) { bytes += valid[random.below(valid.count)] }
            let text = String(decoding: bytes, as: UTF8.self)
            let collapsed = Inline.collapse(bytes[...])
            #expect(collapsed == Self.reference(text), "\(bytes)")
            let splitWords = collapsed.utf8.split(separator: 0x20).compactMap { Substring($0) }
            #expect(Inline.words(bytes[...]) == splitWords, "\(bytes)")
            if collapsed.utf8.count < bytes.count { shortened += 1 }
        }
        #expect(shortened > 1000)
    }
}

/// The URL test compares its scheme as bytes; it must agree with lower-casing the head as a string.
struct URLLineTests {
    static func headIsURL(_ c: ArraySlice<UInt8>) -> Bool {
        guard c.count >= 8, let f = c.first, f | 0x20 == 0x68 || f | 0x20 == 0x77 else { return false }
        let head = String(decoding: c.prefix(8), as: UTF8.self).lowercased()
        return (head.hasPrefix("http://") || head.hasPrefix("https://") || head.hasPrefix("www.")) && !c.contains(0x20)
    }

    @Test func schemeTestMatchesLowercasing() {
        let heads = ["http://", "HTTP://", "Https://", "hTtPs://", "www.", "WWW.", "Www.", "htt://", "https:/", "ww.", "Hà Nội",
                     "Hİ://", "hxxp://", "http:/\u{2215}", "Washington", "wWw.x"]
        let tails = ["a.vn/x.jpg", "example.com", "", " space", "qđnd.vn/ảnh.PNG?x=1", "a"]
        var urls = 0
        for h in heads {
            for t in tails {
                let c = Array((h + t).utf8)[...]
                let expected = Self.headIsURL(c)
                #expect((LineClassifier.url(c) != nil) == expected, "\(h + t)")
                if expected { urls += 1 }
            }
        }
        #expect(urls > 20)
        #expect(LineClassifier.url(Array("HTTPS://qdnd.vn/anh/hop.JPEG".utf8)[...])?.image == true)
    }
}

/// The language verdicts, now decided in up to two passes (Vietnamese letters first).
struct LanguageDetectorTests {
    static func detect(_ text: String) -> String {
        let table = LineScanner.scan(text)
        return LanguageDetector.detect(table, lines: Array(table.lines.indices).filter { !table.lines[$0].isBlank })
    }

    @Test func tellsVietnameseEnglishAndNeither() {
        #expect(Self.detect("Hai ngoại trưởng Mỹ, Việt chủ trì đối thoại về quan hệ đối tác toàn diện.") == "vi")
        #expect(Self.detect("The two ministers said that the talks were held in Hanoi on Monday.") == "en")
        #expect(Self.detect("Die beiden Minister trafen sich am Montag in Hanoi zu Gesprächen.") == "und")
        #expect(Self.detect("   \n\n") == "und")
        // Few Vietnamese words among many English ones: not Vietnamese, and English by its stop words.
        let english = String(repeating: "the talks were held in the city and it was said that ", count: 8)
        #expect(Self.detect("Việt Nam " + english) == "en")
        // Vietnamese letters in 15 % of the words decide, wherever they are in the sample.
        let mixed = String(repeating: "alpha beta gamma delta epsilon zeta ", count: 3) + "Việt Nội Mỹ Đối"
        #expect(Self.detect(mixed) == "vi")
    }
}

/// The line scanner's canonical form against one built scalar by scalar from its definition
/// (whitespace runs to one space, zero-width characters gone, Ð/ð to Đ/đ, then the new-style tone
/// marks of oa/oe/uy moved back by `ToneFolding.toOldStyle`), on lines full of clusters that fold,
/// clusters that must not (`uố`, `ươ`, `quý`) and letters after o/u of every kind.
struct ToneFoldScanTests {
    static let pieces: [String] = [
        "hoà", "khoẻ", "thuý", "QUỲ", "HOÁ", "oạ", "Oẽ", "uỵ", "uỹ", "quý", "quốc", "người", "oặ", "thuở",
        "o", "u", "O", "U", "q", "a", "e", "y", "à", "ý", "ẹ", "Ý", "ỷ", "ã", "É", "ơ", "ư", "ố",
        " ", "  ", "\u{00A0}", "\u{200B}", "Ð", "ð", "x", "\t", ",", "1", "Hoà Bình", "Thuỵ Sĩ",
    ]

    static func oracle(_ text: String, folding: Bool = true) -> String {
        var scalars: [Unicode.Scalar] = []
        var pendingSpace = false
        for s in text.unicodeScalars {
            let v = s.value
            if UTF8Encoding.isZeroWidth(v) { continue }
            if (v < 0x80 && UTF8Encoding.isASCIISpace(UInt8(v))) || UTF8Encoding.isUnicodeSpace(v) {
                pendingSpace = !scalars.isEmpty
                continue
            }
            if pendingSpace { scalars.append(" ") }
            pendingSpace = false
            scalars.append(v == 0xD0 ? "\u{110}" : v == 0xF0 ? "\u{111}" : s)
        }
        let collapsed = String(String.UnicodeScalarView(scalars))
        return folding ? ToneFolding.toOldStyle(collapsed) : collapsed
    }

    @Test func canonicalLinesFoldExactlyTheNewStyleClusters() {
        var random = RobustnessTests.Rng(state: 0xF0_1D)
        var folded = 0
        for _ in 0..<6000 {
            var text = ""
            for _ in 0..<(1 + random.below(14)) { text += Self.pieces[random.below(Self.pieces.count)] }
            let expected = Self.oracle(text)
            #expect(Normalizer.canonicalLine(text) == expected, "\(text)")
            if expected != Self.oracle(text, folding: false) { folded += 1 }
        }
        // Many lines do fold (and, by the pieces, many hold o/u before a letter that does not).
        #expect(folded > 1000)
        #expect(Normalizer.canonicalLine("hoà thuý khoẻ quý người") == "hòa thúy khỏe quý người")
    }
}
