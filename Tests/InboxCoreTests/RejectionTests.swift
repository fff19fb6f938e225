import Testing
@testable import InboxCore

/// Each way a file can be refused, built inline (the same shapes as the generator's bad files).
@Suite("Rejections")
struct RejectionTests {
    static func article() -> [UInt8] {
        Array("Tiêu đề bài viết\n\nĐoạn văn thứ nhất của bài báo, có dấu tiếng Việt đầy đủ.\n".utf8)
    }

    struct Case: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var code: String
        var testDescription: String { name }
    }

    static let cases: [Case] = {
        let a = article()
        let mid = 30  // a character boundary inside the first paragraph
        var png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var x: UInt32 = 12345
        for _ in 0..<65536 {
            x = x &* 1_103_515_245 &+ 12345
            png.append(UInt8(truncatingIfNeeded: x >> 16))
        }
        return [
            Case(name: "empty", bytes: [], code: "empty"),
            Case(name: "only a UTF-8 BOM", bytes: [0xEF, 0xBB, 0xBF], code: "empty"),
            Case(name: "only a UTF-16 BOM", bytes: [0xFF, 0xFE], code: "empty"),
            Case(name: "whitespace only", bytes: Array(" \t\n\n   \r\n\u{00A0}\n\t \u{00A0} \n\n".utf8), code: "whitespace_only"),
            Case(name: "zero-width and BOMs only", bytes: Array("\u{FEFF}\u{200B} \u{2060}\n".utf8), code: "whitespace_only"),
            Case(name: "UTF-16 whitespace", bytes: [0xFF, 0xFE, 0x20, 0x00, 0xA0, 0x00, 0x0A, 0x00], code: "whitespace_only"),
            Case(name: "PNG", bytes: png, code: "binary"),
            Case(name: "NUL inside", bytes: Array(a[..<mid]) + [0] + Array(a[mid...]), code: "binary"),
            Case(name: "NUL in UTF-16", bytes: [0xFF, 0xFE, 0x41, 0x00, 0x00, 0x00], code: "binary"),
            Case(name: "control characters", bytes: Array(repeating: 0x01, count: 20) + Array("abc def ghi jkl".utf8), code: "binary"),
            Case(name: "invalid UTF-8 spliced in", bytes: Array(a[..<mid]) + [0xFF, 0xC3, 0x28, 0x80, 0x20, 0x48, 0xE0] + Array(a[mid...]), code: "undecodable"),
            Case(name: "invalid UTF-8 after a BOM", bytes: [0xEF, 0xBB, 0xBF, 0x41, 0xFF, 0x42], code: "undecodable"),
            Case(name: "odd UTF-16", bytes: [0xFF, 0xFE, 0x41, 0x00, 0x42], code: "undecodable"),
            Case(name: "lone high surrogate", bytes: [0xFF, 0xFE, 0x41, 0x00, 0x3D, 0xD8, 0x41, 0x00], code: "undecodable"),
            Case(name: "lone low surrogate BE", bytes: [0xFE, 0xFF, 0xDC, 0x00, 0x00, 0x41], code: "undecodable"),
            Case(name: "byte undefined in Windows-1258", bytes: Array("Ho".utf8) + [0x81, 0xE0], code: "undecodable"),
        ]
    }()

    @Test("rejects with the right code", arguments: cases)
    func rejectsBadInput(_ c: Case) {
        #expect(throws: Rejection.self) { try ArticlePipeline.process(c.bytes) }
        do {
            _ = try ArticlePipeline.process(c.bytes)
        } catch {
            #expect(error.code == c.code)
            #expect(!error.message.isEmpty)
        }
    }

    @Test func rejectsOversizeBeforeReading() {
        #expect(throws: Rejection.tooLarge(size: 20_971_520, limit: 10_485_760)) {
            try TextDecoder.checkSize(20_971_520, limits: .default)
        }
        #expect(throws: Never.self) { try TextDecoder.checkSize(10_485_760, limits: .default) }
        let e = Rejection.tooLarge(size: 20_971_520, limit: 10_485_760)
        #expect(e.code == "too_large")
        #expect(e.message == "file is 20971520 bytes, over the 10485760-byte limit (max_file_size); split it or raise the limit")
    }

    @Test func rejectsOversizeBytesInPipeline() {
        #expect(throws: Rejection.tooLarge(size: 101, limit: 100)) {
            try ArticlePipeline.process(Array(repeating: 0x41, count: 101), limits: IngestLimits(maxBytes: 100))
        }
    }

    @Test func namesOffsetOfBrokenByte() {
        let bytes = Array("Đây là UTF-8 ".utf8) + [0xFF] + Array(" và tiếp tục.".utf8)
        #expect(throws: Rejection.undecodable("invalid UTF-8 byte 0xFF at offset 16, in a file that is otherwise UTF-8")) {
            try TextDecoder.decode(bytes)
        }
        #expect(throws: Rejection.binary("NUL byte at offset 2")) { try TextDecoder.decode([0x41, 0x42, 0x00]) }
    }

    @Test func hasStableCodes() {
        #expect(Rejection.empty.code == "empty")
        #expect(Rejection.whitespaceOnly.code == "whitespace_only")
        #expect(Rejection.binary("x").code == "binary")
        #expect(Rejection.undecodable("x").code == "undecodable")
    }

    @Test func acceptsOddlyNamedArticlesContent() throws {
        // The name_* bad files are valid articles; only their names are odd, and names are not
        // the core's business.
        let p = try ArticlePipeline.process(Self.article())
        #expect(p.article.title == "Tiêu đề bài viết")
    }
}
