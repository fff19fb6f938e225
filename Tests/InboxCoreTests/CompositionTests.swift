import Testing
@testable import InboxCore

/// ``LatinComposition`` must agree with the standard library's NFC on everything it accepts, and
/// accept what decomposed Vietnamese is made of.
@Suite("NFC composition")
struct CompositionTests {
    static func standard(_ scalars: [UInt32]) -> [UInt8] {
        var view = String.UnicodeScalarView()
        for v in scalars { view.append(Unicode.Scalar(v)!) }
        return String(view)._nfcCodeUnits
    }

    static func fast(_ scalars: [UInt32]) -> [UInt8]? {
        var view = String.UnicodeScalarView()
        for v in scalars { view.append(Unicode.Scalar(v)!) }
        return Array(String(view).utf8).withUnsafeBufferPointer { LatinComposition.compose($0) }
    }

    /// Every starter of the domain from U+0020 (992) with one of the marks and with every ordered
    /// pair of them (8 + 64), between two letters: 71,424 sequences. Where the composer answers,
    /// it answers exactly what the standard library does.
    @Test func agreesWithTheStandardLibraryOnEveryPairAndTriple() {
        let starters = Array(UInt32(0x20)..<0x300) + Array(UInt32(0x1E00)..<0x1F00)
        let marks = LatinComposition.marks
        var answered = 0
        var disagreements: [[UInt32]] = []
        for starter in starters {
            var sequences = marks.map { [starter, $0] }
            for a in marks { for b in marks { sequences.append([starter, a, b]) } }
            for core in sequences {
                let sequence = [0x62] + core + [0x6E]
                guard let fast = Self.fast(sequence) else { continue }
                answered += 1
                if fast != Self.standard(sequence) { disagreements.append(sequence) }
            }
        }
        #expect(disagreements.isEmpty, "first: \(disagreements.prefix(5).map { $0.map { String($0, radix: 16) } })")
        // Most of the domain is answered, not passed on (é + dot below and the like are passed on).
        #expect(answered > 60_000)
    }

    /// Decomposed Vietnamese is composed here, not passed on, and comes out as the precomposed text.
    @Test func composesDecomposedVietnamese() {
        let precomposed = "Quan hệ Việt Nam – Hoa Kỳ: hợp tác toàn diện, ĐỒNG THUẬN và “thủy chung” ở Hà Nội."
        let decomposed = String(precomposed.decomposedScalars())
        #expect(decomposed.unicodeScalars.count > precomposed.unicodeScalars.count)
        let fast = Array(decomposed.utf8).withUnsafeBufferPointer { LatinComposition.compose($0) }
        #expect(fast == Array(precomposed.utf8))
        #expect(Composition.nfc(decomposed) == precomposed)
        // Marks out of canonical order (dot below typed after the circumflex) are reordered.
        #expect(Self.fast([0x65, 0x302, 0x323]) == Array("ệ".utf8))
        #expect(Self.fast([0x75, 0x323, 0x31B]) == Array("ự".utf8))
    }

    /// Outside the domain the composer says nil and `Composition.nfc` still gives NFC.
    @Test func passesTheRestToTheStandardLibrary() {
        let cases: [[UInt32]] = [
            [0x41, 0x30A],                 // ring above: not one of the eight marks
            [0x438, 0x306],                // Cyrillic и + breve
            [0x3B1, 0x301],                // Greek alpha + acute
            [0x4E2D, 0x301],               // a stable CJK starter with a mark after it
            [0xE9, 0x323],                 // é + dot below: NFC reorders é's own acute
            [0x61] + Array(repeating: 0x301, count: 9),  // more marks than the composer holds
            [0x212B],                      // Angstrom sign: changes under NFC on its own
        ]
        for sequence in cases {
            #expect(Self.fast(sequence) == nil, "\(sequence.map { String($0, radix: 16) })")
            var view = String.UnicodeScalarView()
            for v in sequence { view.append(Unicode.Scalar(v)!) }
            #expect(Array(Composition.nfc(String(view)).utf8) == Self.standard(sequence))
        }
        // Marks with no starter before them are only put in order.
        #expect(Self.fast([0x301, 0x323, 0x61]) == Self.standard([0x301, 0x323, 0x61]))
    }
}

private extension String {
    /// NFD by hand for the Vietnamese letters above (the test must not use the code under test).
    func decomposedScalars() -> String.UnicodeScalarView {
        let table: [Character: [UInt32]] = [
            "ệ": [0x65, 0x323, 0x302], "ỳ": [0x79, 0x300], "ợ": [0x6F, 0x31B, 0x323], "á": [0x61, 0x301],
            "à": [0x61, 0x300], "Ồ": [0x4F, 0x302, 0x300], "Ậ": [0x41, 0x323, 0x302], "ủ": [0x75, 0x309],
            "ở": [0x6F, 0x31B, 0x309], "ộ": [0x6F, 0x323, 0x302],
        ]
        var out = String.UnicodeScalarView()
        for ch in self {
            if let parts = table[ch] {
                for v in parts { out.append(Unicode.Scalar(v)!) }
            } else {
                out.append(contentsOf: ch.unicodeScalars)
            }
        }
        return out
    }
}
