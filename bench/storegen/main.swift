// storegen: builds, loads, appends to and checks synthetic InboxStore stores (benchmarks and crash tests).
//
//   storegen build  <dir> --count N [--batch 256] [--sightings-every 20]   build, then load in a fresh process
//   storegen load   <dir>                       open, print load time and RSS
//   storegen append <dir> --count K [--batch 256]   append K more, print µs per article (fsync included)
//   storegen verify <dir>                       open, read every record back, check order and lookups
//   storegen crash  <dir> [--batch 256]         append batches for ever, printing each committed count
//                                               (kill it with -9 at any moment, then run verify)
//   storegen encode <dir> --count N             staging (hand-written JSON + CRC + lookups, no commit) versus
//                                               JSONEncoder alone, records per second
import Foundation
import Glibc
import InboxStore

struct Options {
    var command = ""
    var directory = ""
    var count = 0
    var batch = 256
    var sightingsEvery = 20
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data(("storegen: " + message + "\n").utf8))
    exit(2)
}

func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

func parse(_ arguments: [String]) -> Options {
    var options = Options()
    var rest = arguments[...]
    guard let command = rest.popFirst(), let directory = rest.popFirst() else {
        fail("usage: storegen build|load|append|verify|crash <dir> [--count N] [--batch B] [--sightings-every S]")
    }
    options.command = command
    options.directory = directory
    while let flag = rest.popFirst() {
        guard let value = rest.popFirst().flatMap({ Int($0.replacingOccurrences(of: "_", with: "")) }), value >= 0 else {
            fail("\(flag) needs a number")
        }
        switch flag {
        case "--count": options.count = value
        case "--batch": options.batch = max(1, value)
        case "--sightings-every": options.sightingsEvery = value
        default: fail("unknown option \(flag)")
        }
    }
    return options
}

// MARK: - Synthetic articles

/// splitmix64: fast, seedable, and a bijection (so hashes derived from distinct numbers are distinct).
func mix(_ value: UInt64) -> UInt64 {
    var z = value &+ 0x9E37_79B9_7F4A_7C15
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
}

func hex(_ words: [UInt64]) -> String {
    words.map { word in
        let s = String(word, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }.joined()
}

struct Generator {
    static let words = """
        của và các là có được trong cho với những một người không này đã đến khi năm về từ theo như nhiều ra \
        Việt Nam Hà Nội thành phố Hồ Chí Minh chính phủ Bộ trưởng ngoại giao quan hệ hợp tác phát triển kinh tế \
        đối tác chiến lược toàn diện đại sứ chuyến thăm làm việc hội nghị cấp cao thương mại đầu tư doanh nghiệp \
        nhân dân đất nước xã hội văn hóa giáo dục y tế khoa học công nghệ chuyển đổi số môi trường biến đổi khí hậu \
        nông nghiệp công nghiệp dịch vụ du lịch giao thông hạ tầng năng lượng tái tạo điện gió mặt trời biển đảo \
        an ninh quốc phòng hòa bình ổn định khu vực thế giới quốc tế Liên Hợp Quốc ASEAN Mỹ Trung Quốc Nhật Bản \
        tăng trưởng lạm phát xuất khẩu nhập khẩu thị trường chứng khoán ngân hàng lãi suất tỷ giá đồng USD tỷ \
        triệu phần trăm quý tháng tuần hôm nay sáng chiều tối ngày mai cho biết khẳng định nhấn mạnh đánh giá
        """.split(whereSeparator: { $0 == " " || $0 == "\n" }).map(String.init)

    let paragraphs: [String]

    init() {
        var state: UInt64 = 42
        var paragraphs: [String] = []
        for _ in 0..<256 {
            var sentence: [String] = []
            var text = ""
            while text.utf8.count < 480 {
                state = mix(state)
                sentence.append(Self.words[Int(state % UInt64(Self.words.count))])
                if sentence.count >= 8 + Int(state >> 60) {
                    var s = sentence.joined(separator: " ")
                    s = s.prefix(1).uppercased() + s.dropFirst() + ". "
                    text += s
                    sentence = []
                }
            }
            paragraphs.append(text)
        }
        self.paragraphs = paragraphs
    }

    func draft(_ n: Int) -> ArticleDraft {
        let key = UInt64(n)
        let content = mix(key ^ 0xC0FF_EE00)
        let raw = mix(key ^ 0xBADC_0FFE)
        var body = ["Bài số \(n): tin tổng hợp từ phóng viên thường trú tại Hà Nội."]
        var pick = content
        for _ in 0..<8 {
            pick = mix(pick)
            body.append(paragraphs[Int(pick & 0xFF)])
        }
        let bytes = body.reduce(0) { $0 + $1.utf8.count }
        return ArticleDraft(
            contentHash: hex([content, mix(content), mix(content ^ 1), mix(content ^ 2)]), hashVersion: 1,
            rawHash: hex([raw, mix(raw), mix(raw ^ 1), mix(raw ^ 2)]),
            title: "Đối thoại cấp Bộ trưởng lần thứ \(n): mở lối đi cả trước mắt và lâu dài", titleDerived: false,
            published: "2024-03-24T07:00:00+07:00", author: "Phương Hằng", source: "baoquocte.vn",
            url: "https://baoquocte.vn/bai-\(n).html", language: "vi", wordCount: bytes / 6,
            images: ["https://baoquocte.vn/img/\(n).jpg"], captions: ["Ảnh minh họa \(n)"], body: body,
            encoding: "utf-8", bytes: bytes, sourceFile: "\(n)_\(hex([content]).prefix(8)).txt",
            archivedAs: "2024/03/\(n).txt", ingestedAt: "2024-03-24T07:00:00.000Z")
    }

    func sighting(_ n: Int) -> DuplicateSighting {
        DuplicateSighting(
            file: "copy-of-\(n).txt", at: "2024-03-25T07:00:00.000Z", kind: n % 2 == 0 ? .exact : .normalized,
            rawHash: hex([mix(UInt64(n) ^ 0x5EE0), 1, 2, 3]), storedAs: "dup-\(n).txt")
    }
}

// MARK: - Helpers

func open(_ directory: String) -> ArticleStore {
    do {
        return try ArticleStore(directory: directory)
    } catch {
        fail(error.description)
    }
}

func memoryMB() -> (rss: Double, peak: Double) {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return (0, 0) }
    func field(_ name: String) -> Double {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
        return Double(line.split(separator: " ").dropFirst().first ?? "0").map { $0 / 1024 } ?? 0
    }
    return (field("VmRSS"), field("VmHWM"))
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

func rounded(_ value: Double, _ places: Int = 3) -> String {
    String(format: "%.\(places)f", value)
}

/// Time spent by `append`, split by phase.
struct AppendTimes {
    var total = 0.0
    var generating = 0.0
    var staging = 0.0
    var committing = 0.0
}

/// Appends `count` articles numbered after the ones present.
@discardableResult
func append(to store: ArticleStore, count: Int, batch: Int, sightingsEvery: Int, onCommit: (Int) -> Void = { _ in })
    -> AppendTimes
{
    let generator = Generator()
    let first = store.counts.articles + 1
    let clock = ContinuousClock()
    let start = clock.now
    var times = AppendTimes()
    var drafts: [ArticleDraft] = []
    drafts.reserveCapacity(batch)
    var n = first
    while n < first + count {
        let t0 = clock.now
        drafts.removeAll(keepingCapacity: true)
        for i in n..<min(n + batch, first + count) { drafts.append(generator.draft(i)) }
        let t1 = clock.now
        for draft in drafts {
            let record = store.stageArticle(draft)
            if sightingsEvery > 0 && n % sightingsEvery == 0 {
                store.stageSighting(articleID: record.id, generator.sighting(n))
            }
            n += 1
        }
        let t2 = clock.now
        do { try store.commit() } catch { fail(error.description) }
        let t3 = clock.now
        times.generating += seconds(t1 - t0)
        times.staging += seconds(t2 - t1)
        times.committing += seconds(t3 - t2)
        onCommit(n - 1)
    }
    times.total = seconds(clock.now - start)
    return times
}

// MARK: - Commands

let options = parse(Array(CommandLine.arguments.dropFirst()))
let clock = ContinuousClock()

switch options.command {
case "build":
    guard options.count > 0 else { fail("build needs --count N") }
    if FileManager.default.fileExists(atPath: options.directory + "/" + ArticleStore.logFileName) {
        fail("\(options.directory) already holds a store; remove it first")
    }
    let times: AppendTimes = {
        let store = open(options.directory)
        return append(to: store, count: options.count, batch: options.batch, sightingsEvery: options.sightingsEvery)
    }()
    let buildSeconds = times.total
    // Load in a fresh process so that RSS is the load's alone.
    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/proc/self/exe")
    child.arguments = ["load", options.directory]
    let pipe = Pipe()
    child.standardOutput = pipe
    do { try child.run() } catch { fail("cannot run the load step: \(error)") }
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    child.waitUntilExit()
    guard
        let load = (try? JSONSerialization.jsonObject(with: output)) as? [String: Any],
        let articles = load["articles"] as? Int, let loadSeconds = load["load_seconds"] as? Double,
        let rss = load["rss_mb_after_load"] as? Double
    else { fail("load step failed: \(String(decoding: output, as: UTF8.self))") }
    emit(
        #"{"articles":\#(articles),"build_seconds":\#(rounded(buildSeconds)),"# + #""load_seconds":\#(rounded(loadSeconds)),"#
            + #""rss_mb_after_load":\#(rounded(rss, 1)),"articles_per_second":\#(Int(Double(options.count) / buildSeconds)),"#
            + #""staging_records_per_second":\#(Int(Double(options.count) / times.staging)),"#
            + #""bytes_on_disk":\#(load["bytes_on_disk"] ?? 0)}"#)

case "load":
    let store = open(options.directory)
    let report = store.loadReport
    let memory = memoryMB()
    let repairs = report.repaired.map { "\"" + $0.description.replacingOccurrences(of: "\"", with: "'") + "\"" }
    emit(
        #"{"articles":\#(report.articles),"sightings":\#(report.sightings),"load_seconds":\#(rounded(report.seconds, 4)),"#
            + #""rss_mb_after_load":\#(rounded(memory.rss, 1)),"rss_peak_mb":\#(rounded(memory.peak, 1)),"#
            + #""bytes_on_disk":\#(store.counts.bytesOnDisk),"rebuilt_index_entries":\#(report.rebuiltIndexEntries),"#
            + #""repaired":[\#(repairs.joined(separator: ","))]}"#)

case "append":
    guard options.count > 0 else { fail("append needs --count K") }
    let store = open(options.directory)
    let before = store.counts.articles
    let times = append(to: store, count: options.count, batch: options.batch, sightingsEvery: 0)
    let perArticle = { (seconds: Double) in rounded(seconds * 1e6 / Double(options.count), 1) }
    emit(
        #"{"already_stored":\#(before),"appended":\#(options.count),"batch":\#(options.batch),"#
            + #""us_per_article":\#(perArticle(times.staging + times.committing)),"#
            + #""stage_us_per_article":\#(perArticle(times.staging)),"commit_us_per_article":\#(perArticle(times.committing)),"#
            + #""generate_us_per_article":\#(perArticle(times.generating))}"#)

case "verify":
    let store = open(options.directory)
    var seen = 0
    var cursor: UInt64? = nil
    var problems: [String] = []
    let start = clock.now
    while true {
        let page: [ArticleRecord]
        do { page = try store.page(after: cursor, limit: 500, includeBody: true) } catch { fail(error.description) }
        if page.isEmpty { break }
        for record in page {
            if let previous = cursor, record.seq <= previous { problems.append("seq \(record.seq) after \(previous)") }
            if store.article(forContentHash: record.contentHash)?.id != record.id {
                problems.append("lookup of \(record.id) by content hash failed")
            }
            if record.body.isEmpty { problems.append("\(record.id) has no body") }
            cursor = record.seq
            seen += 1
        }
    }
    if seen != store.counts.articles { problems.append("paged \(seen) articles, counts say \(store.counts.articles)") }
    let repairs = store.loadReport.repaired.map { "\"" + $0.description.replacingOccurrences(of: "\"", with: "'") + "\"" }
    emit(
        #"{"ok":\#(problems.isEmpty),"articles":\#(seen),"sightings":\#(store.counts.sightings),"#
            + #""last_seq":\#(cursor ?? 0),"load_seconds":\#(rounded(store.loadReport.seconds, 4)),"#
            + #""verify_seconds":\#(rounded(seconds(clock.now - start))),"problems":\#(problems.count),"#
            + #""repaired":[\#(repairs.joined(separator: ","))]}"#)
    exit(problems.isEmpty ? 0 : 1)

case "crash":
    let store = open(options.directory)
    while true {
        _ = append(to: store, count: options.batch * 4, batch: options.batch, sightingsEvery: options.sightingsEvery) {
            emit("committed \($0)")
        }
    }

case "encode":
    guard options.count > 0 else { fail("encode needs --count N") }
    let generator = Generator()
    let drafts = (1...options.count).map { generator.draft($0) }
    let store = open(options.directory)
    let t0 = clock.now
    let records = drafts.map { store.stageArticle($0) }
    let staging = seconds(clock.now - t0)
    let encoder = JSONEncoder()
    var bytes = 0
    let t1 = clock.now
    for record in records { bytes += ((try? encoder.encode(record))?.count ?? 0) }
    let encoding = seconds(clock.now - t1)
    encoder.outputFormatting = [.sortedKeys]
    let t2 = clock.now
    for record in records { bytes += ((try? encoder.encode(record))?.count ?? 0) }
    let sorted = seconds(clock.now - t2)
    emit(
        #"{"records":\#(options.count),"staging_per_second":\#(Int(Double(options.count) / staging)),"#
            + #""jsonencoder_per_second":\#(Int(Double(options.count) / encoding)),"#
            + #""jsonencoder_sorted_keys_per_second":\#(Int(Double(options.count) / sorted)),"average_bytes":\#(bytes / options.count / 2)}"#)

default:
    fail("unknown command \(options.command)")
}
