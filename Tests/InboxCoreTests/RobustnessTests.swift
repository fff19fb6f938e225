import Testing
@testable import InboxCore

/// Arbitrary bytes never crash or stall the pipeline.
@Suite("Robustness")
struct RobustnessTests {
    /// Deterministic generator so failures reproduce.
    struct Rng {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    /// Building blocks that hit the interesting paths: Vietnamese, NFD marks, quotes, spaces,
    /// zero-width, CR/LF, broken UTF-8, BOMs, surrogates, date and caption shapes.
    static let pieces: [[UInt8]] = [
        "hoà", "thuỷ", "quý", "Ð", "o", "u", "a\u{0300}", "\u{0323}", "“", "”", "\"", " ", "\u{00A0}", "\u{200B}",
        "\u{FEFF}", "\n", "\r", "\r\n", "\t", "25/3/2024", "07:00", "|", "(Ảnh: X)", "Nguồn", "Theo ", "http://a.jpg",
        "Thứ Hai, ", "(GMT+7)", "By ", "No comments:", "📞", "ĐẶNG", ".", ":", "Ảnh:", "(", ")",
    ].map { Array($0.utf8) } + [[0xFF], [0xC3], [0x80], [0xED, 0xA0, 0x80], [0xFF, 0xFE], [0xFE, 0xFF], [0x00], [0x01], [0xE0]]

    /// The word count's eight-bytes-at-a-time space count agrees with a byte loop at every
    /// alignment, next to bytes that differ from a space in one bit (0x21, 0x60, 0xA0, 0x00).
    @Test func spaceCountMatchesByteLoop() {
        var rng = Rng(state: 7)
        let alphabet: [UInt8] = [0x20, 0x20, 0x20, 0x21, 0x60, 0xA0, 0x00, 0x41, 0xE1, 0xBB, 0x30]
        for length in 0..<80 {
            let bytes = (0..<length).map { _ in alphabet[Int(rng.next() % UInt64(alphabet.count))] }
            bytes.withUnsafeBytes { raw in
                for start in 0...length {
                    for end in start...length {
                        let expected = bytes[start..<end].filter { $0 == 0x20 }.count
                        #expect(UTF8Encoding.spaceCount(raw, start..<end) == expected)
                    }
                }
            }
        }
    }

    /// Long runs too: the count sums its sixteen lanes every 255 blocks, so lengths around
    /// 16 × 255 bytes and a line of every byte a space must come out right.
    @Test func spaceCountMatchesByteLoopOnLongLines() {
        var rng = Rng(state: 11)
        for length in [4079, 4080, 4081, 4095, 4096, 8160, 8161, 10_000] {
            for spaceEvery in [1, 2, 7] {
                let bytes = (0..<length).map { _ in rng.next() % UInt64(spaceEvery) == 0 ? UInt8(0x20) : UInt8(0x41 + rng.next() % 26) }
                bytes.withUnsafeBytes { raw in
                    for start in [0, 1, 15, 17] {
                        let expected = bytes[start...].filter { $0 == 0x20 }.count
                        #expect(UTF8Encoding.spaceCount(raw, start..<length) == expected, "\(length) from \(start)")
                    }
                }
            }
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func survivesRandomBytes() {
        var rng = Rng(state: 42)
        var accepted = 0
        for _ in 0..<4000 {
            var bytes: [UInt8] = []
            let parts = rng.below(60)
            for _ in 0..<parts {
                if rng.below(4) == 0 {
                    bytes.append(UInt8(truncatingIfNeeded: rng.next()))
                } else {
                    bytes += Self.pieces[rng.below(Self.pieces.count)]
                }
            }
            if let p = try? ArticlePipeline.process(bytes) {
                accepted += 1
                #expect(p.contentHash.hex.utf8.count == 64)
                #expect(p.byteCount == bytes.count)
                _ = Normalizer.canonical(p.article.body.joined(separator: "\n"))
            }
        }
        #expect(accepted > 100)
    }

    @Test(.timeLimit(.minutes(2)))
    func handlesLongSingleLineLinearly() throws {
        let sentence = "“Đối thoại cấp Bộ trưởng Việt-Mỹ lần thứ nhất” hoà bình, thuỷ lợi, quý vị. "
        let line = String(repeating: sentence, count: 8_000)  // ~800 KB, no line break
        let p = try ArticlePipeline.process(Array(line.utf8))
        #expect(p.article.body.count == 1)
        #expect(p.article.titleDerived)
        #expect((p.article.title?.unicodeScalars.count ?? 0) <= TitleDeriver.maxScalars + 1)
    }

    @Test(.timeLimit(.minutes(2)))
    func handlesManyShortLines() throws {
        var text = "Tiêu đề\n"
        for k in 0..<30_000 { text += k % 3 == 0 ? "1/1\n" : (k % 3 == 1 ? "Nguồn QĐND\n" : "“\(k) x”\n") }
        let p = try ArticlePipeline.process(Array(text.utf8))
        #expect(p.article.title == "Tiêu đề")
    }

    @Test(.timeLimit(.minutes(2)))
    func handlesRepeatedPullQuoteCandidates() throws {
        let quote = "“" + String(repeating: "x", count: 60) + "” Ông A"
        let text = "Tiêu đề\n" + Array(repeating: quote, count: 10_000).joined(separator: "\n")
        let p = try ArticlePipeline.process(Array(text.utf8))
        // Identical pull quotes are layout; one copy of the text stays.
        #expect(p.article.body.count >= 1)
    }

    @Test func acceptsOversizeArticleUnderRaisedLimit() throws {
        let unit = "Đoạn văn dài về quan hệ Việt-Mỹ, hoà bình và hợp tác.\n\n"
        let text = "Tiêu đề\n\n" + String(repeating: unit, count: 2_000)
        let bytes = Array(text.utf8)
        let small = IngestLimits(maxBytes: bytes.count - 1)
        #expect(throws: Rejection.tooLarge(size: bytes.count, limit: bytes.count - 1)) {
            try ArticlePipeline.process(bytes, limits: small)
        }
        let p = try ArticlePipeline.process(bytes, limits: IngestLimits(maxBytes: bytes.count))
        #expect(p.article.body.count == 2_000)
    }
}

/// Inputs found by the libFuzzer target (Fuzz/, docs/reliability.md), kept as regression tests.
@Suite("Fuzz findings")
struct FuzzFindingTests {
    /// Bytes of `s` as UTF-8; Swift's `==` on strings is canonical equivalence and would hide a
    /// missed NFC, so these tests compare code units.
    static func units(_ s: String?) -> [UInt8] { Array((s ?? "").utf8) }

    /// Fuzz finding 1 (`28 E1 BF 9B`, "(" U+1FDB): the UTF-8 scan took every lead `E1` followed
    /// by `B8`...`BF` for precomposed Vietnamese (U+1E00–U+1EFF, second byte B8–BB only) and skipped
    /// it, so Greek Extended (U+1F00–U+1FFF, several singleton decompositions) was never composed:
    /// the pipeline hashed U+1FDB where ``ContentHash/of(_:text:)`` and NFC have U+038A.
    @Test func greekExtendedIsComposed() throws {
        let bytes: [UInt8] = [0x28, 0xE1, 0xBF, 0x9B]
        let p = try ArticlePipeline.process(bytes)
        #expect(p.contentHash == ContentHash.of(p.article, text: try TextDecoder.decode(bytes).text))

        let oxia = try ArticlePipeline.process(Array("Tiêu đề\n\nChữ Hy Lạp \u{1F71} ở giữa câu.\n".utf8))
        let tonos = try ArticlePipeline.process(Array("Tiêu đề\n\nChữ Hy Lạp \u{3AC} ở giữa câu.\n".utf8))
        #expect(Self.units(oxia.article.body.first) == Self.units("Chữ Hy Lạp \u{3AC} ở giữa câu."))
        #expect(oxia.contentHash == tonos.contentHash)
    }

    /// Same class as finding 1, found reviewing it (the fuzz target now checks NFC directly):
    /// U+2329/U+232A (NFC: U+3008/U+3009), U+2ADC (NFC: U+2ADD U+0338) and the combining marks
    /// U+302A–U+302F (reordered by NFC) were listed as NFC-stable, so the pipeline kept them as
    /// they were and hashed them apart from the NFC text.
    @Test(arguments: [
        ("\u{2329}trong ngoặc\u{232A}", "\u{3008}trong ngoặc\u{3009}"),
        ("\u{2ADC}", "\u{2ADD}\u{0338}"),
        ("a\u{302B}\u{302A}", "a\u{302A}\u{302B}"),
    ])
    func unstableSymbolsAreComposed(_ input: String, _ nfc: String) throws {
        let raw = try ArticlePipeline.process(Array("Tiêu đề\n\nMột câu \(input) đây.\n".utf8))
        let composed = try ArticlePipeline.process(Array("Tiêu đề\n\nMột câu \(nfc) đây.\n".utf8))
        #expect(Self.units(raw.article.body.first) == Self.units("Một câu \(nfc) đây."))
        #expect(raw.contentHash == composed.contentHash)
    }
}
