import Testing
@testable import InboxCore

/// The byte path of the all-caps test for header lines against the `Character` walk it stands in for.
struct HeaderLineTests {
    /// The scalars `LineClassifier.mostlyUppercaseIfSimple(_:)` takes as whole `Character`s.
    static let simpleScalars: [Unicode.Scalar] = {
        let ranges: [ClosedRange<UInt32>] = [0x00...0x2FF, 0x1E00...0x1EFF, 0x2000...0x203F]
        return ranges.flatMap { $0 }.filter { ![0x0A, 0x0D, 0x200C, 0x200D].contains($0) }.compactMap(Unicode.Scalar.init)
    }()

    @Test func noTwoSimpleScalarsMakeOneCharacter() {
        let all = Self.simpleScalars
        for first in all {
            // first, s, first, s', ...: a pair that joined, either way round, would lose a Character.
            var text = String.UnicodeScalarView()
            for s in all {
                text.append(first)
                text.append(s)
            }
            #expect(String(text).count == 2 * all.count, "U+\(String(first.value, radix: 16))")
        }
    }

    @Test func bytePathAgreesWithTheCharacterWalk() {
        var random = RobustnessTests.Rng(state: 0xCA95)
        let pieces = [
            "HOA KỲ", "VIỆT NAM", "hai ngoại trưởng", " ", " ", "(", ")", "(VOA Tiếng Việt)", "Đ", "đ", "Ư",
            "A", "b", "1", "–", "“", "”", "…", "ǅ", "ß", "ʰ",
        ]
        let odd = ["\u{301}", "\u{200D}", "😀", "中", "\r\n", "(\u{301}", ")\u{301}"]
        var simple = 0
        for _ in 0..<20000 {
            var line = ""
            let count = Int(random.next() % 14)
            for _ in 0..<count {
                line += random.next() % 25 == 0 ? odd[random.below(odd.count)] : pieces[random.below(pieces.count)]
            }
            let expected = LineClassifier.mostlyUppercaseByCharacters(line)
            var bytes = line
            if let fast = bytes.withUTF8({ LineClassifier.mostlyUppercaseIfSimple($0) }) {
                simple += 1
                #expect(fast == expected, "\(line.debugDescription)")
            }
            #expect(LineClassifier.isMostlyUppercase(line) == expected, "\(line.debugDescription)")
        }
        // Most lines take the byte path, and some do not.
        #expect(simple > 10000 && simple < 20000)
    }
}
