import Testing
@testable import InboxCore

@Suite("Normalization")
struct NormalizerTests {
    /// (new style or untouched input, canonical), all five tones and upper case.
    static let toneTable: [(String, String)] = [
        ("hoà", "hòa"), ("hoá", "hóa"), ("hoả", "hỏa"), ("hoã", "hõa"), ("hoạ", "họa"),
        ("khoè", "khòe"), ("khoé", "khóe"), ("khoẻ", "khỏe"), ("khoẽ", "khõe"), ("khoẹ", "khọe"),
        ("thuỳ", "thùy"), ("thuý", "thúy"), ("thuỷ", "thủy"), ("thuỹ", "thũy"), ("thuỵ", "thụy"),
        ("HOÀ", "HÒA"), ("Hoà", "Hòa"), ("KHOẺ", "KHỎE"), ("THUỶ", "THỦY"), ("Thuý", "Thúy"), ("oà", "òa"),
        ("hoà.", "hòa."), ("(hoà)", "(hòa)"), ("hoà1", "hòa1"), ("tuỳ ý", "tùy ý"), ("Đồng Hoà\u{00A0}x", "Đồng Hòa x"),
        // never touched
        ("hoàng", "hoàng"), ("toàn", "toàn"), ("khoảng", "khoảng"), ("huyền", "huyền"), ("quý", "quý"),
        ("quỳ", "quỳ"), ("QUÝ", "QUÝ"), ("ngoài", "ngoài"), ("xoáy", "xoáy"), ("hòa", "hòa"), ("thủy", "thủy"),
    ]

    @Test func foldsToneMarksToOldStyle() {
        for (input, expected) in Self.toneTable {
            let want = expected.replacingOccurrencesOfNBSP()
            #expect(Array(Normalizer.canonical(input).utf8) == Array(want.utf8), "\(input)")
            if !input.contains("\u{00A0}") {
                #expect(Array(Normalizer.foldTones(input).utf8) == Array(expected.utf8), "\(input)")
            }
        }
    }

    @Test func roundTripsToneStyles() {
        for (_, old) in Self.toneTable where !old.contains("\u{00A0}") {
            let new = ToneFolding.toNewStyle(old)
            #expect(Array(ToneFolding.toOldStyle(new).utf8) == Array(old.utf8))
        }
        #expect(ToneFolding.toNewStyle("hòa thủy quý hoàng") == "hoà thuỷ quý hoàng")
    }

    @Test func foldsDecomposedInput() {
        #expect(Array(Normalizer.canonical("Ho\u{0300}a").utf8) == Array("Hòa".utf8))
        #expect(Array(Normalizer.canonical("ho\u{0061}\u{0300}").utf8) == Array("hòa".utf8))
        #expect(Array(Normalizer.foldTones("thu\u{0079}\u{0309}").utf8) == Array("thủy".utf8))
    }

    @Test func mapsEthToDStroke() {
        #expect(Array(Normalizer.canonical("ÐẶNG ðang").utf8) == Array("ĐẶNG đang".utf8))
        #expect(Array(Normalizer.display("ÐẶNG").utf8) == Array("ÐẶNG".utf8))
    }

    @Test func collapsesWhitespaceAndBlankLines() {
        let text = "\u{FEFF}  A\u{00A0}\u{00A0}b\t c \r\n\r\n\u{00A0}\n\n d\u{200B}e\u{3000}f  \rg\u{2009}h"
        #expect(Normalizer.canonical(text) == "A b c\n\nde f\ng h")
        #expect(Normalizer.canonicalLine(text) == "A b c de f g h")
    }

    @Test func keepsDisplayStructure() {
        let text = "Tiêu đề  \r\n\r\n  Đoạn hoà\u{00A0}\u{200B}bình.\u{00A0}\n"
        #expect(Normalizer.display(text) == "Tiêu đề\n\n  Đoạn hoà\u{00A0}bình.\n")
        #expect(Array(Normalizer.display("Hoa\u{0300}").utf8) == Array("Hoà".utf8))
    }

    @Test func buildsSearchKeys() {
        #expect(Normalizer.searchKey("Bộ trưởng") == "bo truong")
        #expect(Normalizer.searchKey("Đặng  Hoàng Giang") == "dang hoang giang")
        #expect(Normalizer.searchKey("ÐẶNG HOÀNG GIANG") == "dang hoang giang")
        #expect(Normalizer.searchKey("Thuỷ\u{00A0}Hoà") == "thuy hoa")
        #expect(Normalizer.searchKey("Ho\u{0300}a Bi\u{0300}nh") == "hoa binh")
    }

    @Test func handlesLongLinesLinearly() {
        let line = String(repeating: "hoà bình và phát triển ", count: 200_000)  // ~5 MB, one line
        let canonical = Normalizer.canonical(line)
        #expect(canonical.hasPrefix("hòa bình và"))
        #expect(!canonical.hasSuffix(" "))
    }
}

extension String {
    fileprivate func replacingOccurrencesOfNBSP() -> String {
        String(String.UnicodeScalarView(unicodeScalars.map { $0 == "\u{00A0}" ? " " : $0 }))
    }
}
