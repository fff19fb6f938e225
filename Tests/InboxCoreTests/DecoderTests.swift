import Foundation
import Testing
@testable import InboxCore

@Suite("Decoding")
struct DecoderTests {
    @Test func decodesEachBOM() throws {
        let text = "Hòa bình 📞"
        #expect(try TextDecoder.decode(Array(text.utf8)) == (text, .utf8))
        #expect(try TextDecoder.decode(Fixtures.withBOM(text)) == (text, .utf8BOM))
        #expect(try TextDecoder.decode(Fixtures.utf16(text, littleEndian: true)) == (text, .utf16LE))
        #expect(try TextDecoder.decode(Fixtures.utf16(text, littleEndian: false)) == (text, .utf16BE))
    }

    /// UTF-16 is transcoded by hand: one, two, three and four UTF-8 bytes per scalar, at the edges.
    @Test func transcodesUTF16AtEveryWidth() throws {
        let text = "A\u{7F}\u{80}é\u{7FF}\u{800}ệ\u{D7FF}\u{E000}\u{FFFD}\u{10000}😀\u{10FFFF}Z"
        #expect(try TextDecoder.decode(Fixtures.utf16(text, littleEndian: true)).text == text)
        #expect(try TextDecoder.decode(Fixtures.utf16(text, littleEndian: false)).text == text)
    }

    @Test func acceptsNonContiguousCollections() throws {
        let bytes = Array("Xin chào".utf8)
        #expect(try TextDecoder.decode(bytes.lazy.map { $0 }).text == "Xin chào")
        #expect(try TextDecoder.decode(Data(bytes)).text == "Xin chào")
    }

    @Test func fallsBackToWindows1258OnlyWithoutUTF8() throws {
        // "Đà Nẵng" in CP1258: Ð=D0 à=E0 N ă=E3 n + tilde (DE) g
        let bytes: [UInt8] = [0xD0, 0xE0, 0x20, 0x4E, 0xE3, 0xDE, 0x6E, 0x67]
        let (text, encoding) = try TextDecoder.decode(bytes)
        #expect(encoding == .windows1258)
        #expect(Array(text.utf8) == Array("Đà Nẵng".utf8))
        // Latin-1 text is read the same way (the code pages agree on é).
        #expect(try TextDecoder.decode([0x63, 0x61, 0x66, 0xE9]).text == "café")
    }

    @Test func composesWindows1258ToneMarks() throws {
        let (text, _) = try TextDecoder.decode(try Fixtures.windows1258("Thủy Hòa ộ ậ ể ữ"))
        #expect(Array(text.utf8) == Array("Thủy Hòa ộ ậ ể ữ".utf8))
    }

    static var python: String? { CorpusCheckTests.python }

    /// The brief's check: a seed encoded by Python's cp1258 codec, after decomposing only the
    /// tone marks, decodes and normalizes back to the original NFC text.
    @Test(.enabled(if: python != nil, "needs python3"))
    func decodesPythonEncodedWindows1258Seeds() throws {
        let script = """
            import sys, unicodedata
            TONES = {'\\u0300', '\\u0301', '\\u0303', '\\u0309', '\\u0323'}
            text = unicodedata.normalize('NFC', open(sys.argv[1], encoding='utf-8').read())
            out = bytearray()
            for ch in text:
                try:
                    out += ch.encode('cp1258'); continue
                except UnicodeEncodeError:
                    pass
                d = unicodedata.normalize('NFD', ch)
                base = unicodedata.normalize('NFC', ''.join(c for c in d if c not in TONES))
                marks = ''.join(c for c in d if c in TONES)
                out += (base + marks).encode('cp1258', errors='replace')
            sys.stdout.buffer.write(bytes(out))
            """
        let names = try FileManager.default.contentsOfDirectory(atPath: Fixtures.seedsDir.path).sorted()
        for name in names where name.hasSuffix(".txt") {
            let path = Fixtures.seedsDir.appendingPathComponent(name).path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try #require(Self.python))
            process.arguments = ["-c", script, path]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let encoded = [UInt8](pipe.fileHandleForReading.readDataToEndOfFile())
            process.waitUntilExit()
            #expect(encoded == (try Fixtures.windows1258(try Fixtures.seedText(String(name.prefix(3))))), "\(name)")
            let (text, encoding) = try TextDecoder.decode(encoded)
            #expect(encoding == .windows1258)
            let original = try Fixtures.seedText(String(name.prefix(3))).precomposedStringWithCanonicalMapping
                .replacingOccurrences(of: "📞", with: "?")
            #expect(Array(text.utf8) == Array(original.utf8), "\(name)")
            #expect(try ArticlePipeline.process(encoded).contentHash
                == (try ArticlePipeline.process(try Fixtures.seed(String(name.prefix(3))))).contentHash)
        }
    }
}
