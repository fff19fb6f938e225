import Foundation
import Testing

@testable import InboxStore

@Suite("JSON lines")
struct JSONLineTests {
    static let awkward: String = {
        var s = (0..<0x20).map { String(UnicodeScalar(UInt8($0))) }.joined()
        s += "\"quoted\" back\\slash / slash \u{7F} Tiếng Việt có dấu: Đối thoại \u{2028}\u{2029} 🇻🇳 \u{FEFF}"
        return s
    }()

    private func awkwardRecord() -> ArticleRecord {
        var d = draft(1, body: [Self.awkward, "", "Đoạn hai."])
        d.title = Self.awkward
        d.author = nil
        d.url = "https://example.vn/a?b=c&d=\"e\""
        return ArticleRecord(draft: d, id: "0123456789abcdef", seq: UInt64.max, contentHash: d.contentHash,
            rawHash: d.rawHash)
    }

    @Test func escapesOnlyWhatJSONRequires() throws {
        var line: [UInt8] = []
        JSONLine.appendArticle(awkwardRecord(), to: &line)
        let text = String(decoding: line, as: UTF8.self)
        #expect(line.last == 0x0A)
        #expect(line.dropLast().allSatisfy { $0 != 0x0A && $0 >= 0x20 || $0 >= 0x80 })
        #expect(text.hasPrefix(#"{"type":"article","schema_version":1,"#))
        #expect(text.contains(#"\u0000\u0001"#))
        #expect(text.contains(#"\b\t\n\u000b\f\r"#))
        #expect(text.contains(#"\"quoted\" back\\slash / slash"#))
        #expect(text.contains("Tiếng Việt có dấu: Đối thoại \u{2028}\u{2029} 🇻🇳"))
        #expect(text.contains(#""author":null"#))
        #expect(text.contains(#""seq":18446744073709551615"#))
    }

    /// The escaper skips eight bytes at a time: every byte that needs escaping must be caught at
    /// every position of an eight-byte word, next to bytes of every kind (ASCII, UTF-8 lead and
    /// continuation bytes, DEL).
    @Test func escapesEveryByteAtEveryAlignment() throws {
        let specials: [UInt8] = Array(0..<0x20) + [0x22, 0x5C]
        let fillers = ["abcdefghijklmnop", "ếếếếếế", "\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}\u{7F}", "Đ ờ 🇻🇳 x y z !~"]
        // Five fillers long, so every position of a 32-byte block (where the CPU has AVX2), of the
        // 16-byte block and of the 8-byte words after it is hit.
        for filler in fillers.map({ String(repeating: $0, count: 5) }) {
            for special in specials {
                for position in 0...filler.utf8.count {
                    var bytes = Array(filler.utf8)
                    bytes.insert(special, at: min(position, bytes.count))
                    let text = String(decoding: bytes, as: UTF8.self)
                    var out: [UInt8] = []
                    JSONLine.string(text, &out)
                    let decoded = try JSONDecoder().decode(String.self, from: Data(out))
                    #expect(decoded == text, "byte \(special) at \(position) in \(filler)")
                    #expect(!out.dropFirst().dropLast().contains { $0 < 0x20 }, "raw control byte left in the output")
                }
            }
        }
        #expect(!JSONLine.needsEscape(0x7E7D_7C7B_6160_5F5D))
        #expect(JSONLine.needsEscape(0x4141_4141_4141_4122))
        #expect(JSONLine.needsEscape(0x5C41_4141_4141_4141))
        #expect(JSONLine.needsEscape(0x4141_1F41_4141_4141))
        #expect(!JSONLine.needsEscape(0xC3A9_E1BB_8720_2021))
    }

    @Test func roundTripsThroughJSONDecoder() throws {
        let record = awkwardRecord()
        var line: [UInt8] = []
        JSONLine.appendArticle(record, to: &line)
        #expect(try JSONDecoder().decode(ArticleRecord.self, from: Data(line)) == record)

        var withDuplicates = record
        withDuplicates.duplicates = [sighting(1, kind: .exact), sighting(2, file: Self.awkward)]
        line = []
        JSONLine.appendArticle(withDuplicates, to: &line)
        #expect(try JSONDecoder().decode(ArticleRecord.self, from: Data(line)) == withDuplicates)

        line = []
        JSONLine.appendSighting(articleID: "0123456789abcdef-2", sighting(3, file: Self.awkward), to: &line)
        guard case .sighting(let id, let decoded) = try line.withUnsafeBytes({ try LogLine.decode($0) }) else {
            Issue.record("not a sighting line")
            return
        }
        #expect(id == "0123456789abcdef-2")
        #expect(decoded == sighting(3, file: Self.awkward))
    }

    @Test func matchesJSONEncoderOutputWhenDecoded() throws {
        let record = awkwardRecord()
        let encoded = try JSONEncoder().encode(record)
        var line: [UInt8] = []
        JSONLine.appendArticle(record, to: &line)
        var viaEncoder = try JSONSerialization.jsonObject(with: encoded) as? [String: Any] ?? [:]
        viaEncoder["duplicates"] = nil  // the log keeps sightings on their own lines
        let viaWriter = try JSONSerialization.jsonObject(with: Data(line)) as? [String: Any]
        var stripped = viaWriter ?? [:]
        stripped["type"] = nil
        stripped["author"] = nil  // JSONEncoder omits nil, the writer writes null
        #expect(viaEncoder as NSDictionary == stripped as NSDictionary)
    }

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/jq")))
    func readsBackWithJq() throws {
        let folder = try TemporaryFolder()
        let record = try withStore(folder) { store throws in
            var d = draft(1, body: [Self.awkward])
            d.title = Self.awkward
            let record = store.stageArticle(d)
            store.stageSighting(articleID: record.id, sighting(1))
            _ = try fill(store, 2...3)
            return record
        }
        let titles = try jq(["-r", #"select(.type=="article") | .title"#, folder.log])
        #expect(titles.hasPrefix(Self.awkward + "\n"))
        #expect(try jq(["-c", #"select(.type=="article") | .body"#, folder.log]).contains("Tiếng Việt"))
        let count = try jq(["-n", #"[inputs | select(.type=="article")] | length"#, folder.log])
        #expect(count == "3\n")
        let dups = try jq(["-r", #"select(.type=="sighting") | [.article_id, .kind, .file] | @tsv"#, folder.log])
        #expect(dups == "\(record.id)\tnormalized\tcopy-1.txt\n")
        let roundTrip = try jq(["-c", #"select(.type=="article" and .seq==1) | del(.type)"#, folder.log])
        #expect(try JSONDecoder().decode(ArticleRecord.self, from: Data(roundTrip.utf8)) == record)
    }

    private func jq(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/jq")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self)
    }
}

@Suite("Internals")
struct InternalsTests {
    @Test func parsesExactlySixtyFourHexDigits() {
        let digits = "0123456789abcdef"
        var seed: UInt64 = 0x4E11
        for _ in 0..<200 {
            let words = (0..<4).map { _ -> UInt64 in
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return seed
            }
            let hash = Hash256(a: words[0], b: words[1], c: words[2], d: words[3])
            #expect(Hash256(hex: hash.hex) == hash)
            #expect(Hash256(hex: hash.hex.uppercased()) == hash)
        }
        let valid = String(repeating: digits, count: 4)
        #expect(Hash256(hex: valid)?.a == 0x0123_4567_89AB_CDEF)
        // Every byte that is not a hex digit, at every position, is refused.
        for byte in 0..<256 where digits.utf8.contains(UInt8(byte)) == false && !(0x41...0x46).contains(byte) {
            for position in [0, 15, 16, 31, 47, 63] {
                var bytes = Array(valid.utf8)
                bytes[position] = UInt8(byte)
                if let text = String(validating: bytes, as: UTF8.self) { #expect(Hash256(hex: text) == nil, "\(byte) at \(position)") }
            }
        }
        #expect(Hash256(hex: String(valid.dropLast())) == nil)
        #expect(Hash256(hex: valid + "0") == nil)
        #expect(Hash256(hex: String(valid.dropLast()) + "é") == nil)
    }

    @Test func crcMatchesTheStandardCheckValue() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([]) == 0)
        let long = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var bytewise: UInt32 = 0xFFFF_FFFF
        for byte in long {
            bytewise ^= UInt32(byte)
            for _ in 0..<8 { bytewise = bytewise & 1 == 1 ? (bytewise >> 1) ^ 0xEDB8_8320 : bytewise >> 1 }
        }
        #expect(CRC32.checksum(long) == ~bytewise)
    }

    /// The carry-less fold (where the CPU has it) gives the table's CRC for every length and
    /// alignment around its 64- and 16-byte steps.
    @Test func crcFoldAgreesWithTheTable() {
        #expect(CRC32.folds, "this x86-64 machine should have PCLMULQDQ; the fold would go untested")
        var generator = SystemRandomNumberGenerator()
        let data = (0..<9000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let lengths = Array(0..<300) + [1023, 1024, 1025, 4095, 4096, 4097, 8191]
        data.withUnsafeBytes { all in
            for offset in [0, 1, 7, 15] {
                for length in lengths {
                    let slice = UnsafeRawBufferPointer(rebasing: all[offset..<(offset + length)])
                    #expect(CRC32.checksum(slice, fold: true) == CRC32.checksum(slice, fold: false),
                            "offset \(offset), length \(length)")
                }
            }
        }
    }

    @Test func parsesAndFormatsIds() {
        #expect(ArticleID.parse("0123456789abcdef")! == (0x0123_4567_89AB_CDEF, 0))
        #expect(ArticleID.parse("0123456789abcdef-12")! == (0x0123_4567_89AB_CDEF, 12))
        for bad in ["0123456789ABCDEF", "0123456789abcde", "0123456789abcdef-", "0123456789abcdef-1",
            "0123456789abcdef-02", "0123456789abcdef_2", "0123456789abcdefg"]
        {
            #expect(ArticleID.parse(bad) == nil, "\(bad)")
        }
        #expect(ArticleID.format(prefix: 0xAB, suffix: 3) == "00000000000000ab-3")
    }

    @Test func indexEntriesRoundTrip() throws {
        let entry = IndexEntry(
            offset: 123_456_789_012, length: 5000, lineCRC: 0xDEAD_BEEF, kind: .sighting, sightingKind: 2,
            idSuffix: 3, seq: 77, hashA: Hash256(hex: fakeHash(1))!, hashB: Hash256(hex: fakeHash(2))!, fileKey: 99)
        var bytes: [UInt8] = []
        entry.append(to: &bytes)
        #expect(bytes.count == IndexEntry.size)
        #expect(Array(bytes[32..<64]) == hexBytes(fakeHash(1)))
        #expect(bytes.withUnsafeBytes { IndexEntry.read($0.baseAddress!) } == entry)
        bytes[50] ^= 1
        #expect(bytes.withUnsafeBytes { IndexEntry.read($0.baseAddress!) } == nil)
    }

    private func hexBytes(_ hex: String) -> [UInt8] {
        let chars = Array(hex.utf8)
        return stride(from: 0, to: chars.count, by: 2).map { UInt8(String(decoding: chars[$0..<$0 + 2], as: UTF8.self), radix: 16)! }
    }
}
