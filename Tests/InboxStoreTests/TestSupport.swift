import Foundation
import Glibc
import Testing

@testable import InboxStore

/// A temporary folder removed when the value goes away.
final class TemporaryFolder {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/inboxstore-test-XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        path = String(cString: made)
    }

    var store: String { path + "/store" }
    var log: String { store + "/" + ArticleStore.logFileName }
    var index: String { store + "/" + ArticleStore.indexFileName }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// A 64-hex-digit pseudo hash, distinct for distinct (n, salt).
func fakeHash(_ n: Int, salt: UInt64 = 0) -> String {
    let a = Mix.mix64(UInt64(n) ^ salt)
    return Hash256(a: a, b: Mix.mix64(a), c: Mix.mix64(a ^ 1), d: Mix.mix64(a ^ 2)).hex
}

func draft(_ n: Int, body: [String]? = nil, file: String? = nil, contentHash: String? = nil) -> ArticleDraft {
    ArticleDraft(
        contentHash: contentHash ?? fakeHash(n), hashVersion: 1, rawHash: fakeHash(n, salt: 0xFF),
        title: "Bài \(n): Đối thoại cấp Bộ trưởng", titleDerived: n % 2 == 0, published: "2024-03-24T07:00:00Z",
        author: n % 3 == 0 ? nil : "Phương Hằng", source: "baoquocte.vn", url: "https://example.vn/\(n)",
        language: "vi", wordCount: 42 + n, images: ["img\(n).jpg"], captions: ["Ảnh: \"chú thích\" \(n)"],
        body: body ?? ["Đoạn một của bài \(n).", "Đoạn hai\tvới tab và \\ gạch chéo."], encoding: "utf-8",
        bytes: 1000 + n, sourceFile: file ?? "article-\(n).txt", archivedAs: "\(n)-archived.txt",
        ingestedAt: "2024-03-24T07:00:00.123Z")
}

func sighting(_ n: Int, kind: DuplicateSighting.Kind = .normalized, file: String? = nil) -> DuplicateSighting {
    DuplicateSighting(
        file: file ?? "copy-\(n).txt", at: "2024-03-25T08:00:00.000Z", kind: kind, rawHash: fakeHash(n, salt: 0xD0),
        storedAs: "dup-\(n).txt")
}

/// Opens the store, runs `body`, and lets the store go (closing its files and lock) before returning.
func withStore<T>(
    _ folder: TemporaryFolder, lockWait: Duration = ArticleStore.defaultLockWait, _ body: (ArticleStore) throws -> T
) throws -> T {
    let store = try ArticleStore(directory: folder.store, lockWait: lockWait)
    return try body(store)
}

/// Stages and commits articles 1...count, in batches.
@discardableResult
func fill(_ store: ArticleStore, _ range: ClosedRange<Int>, batch: Int = 256) throws -> [ArticleRecord] {
    var records: [ArticleRecord] = []
    for n in range {
        records.append(store.stageArticle(draft(n)))
        if records.count % batch == 0 { try store.commit() }
    }
    try store.commit()
    return records
}

func fileBytes(_ path: String) throws -> [UInt8] {
    [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
}

func writeBytes(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func truncateFile(_ path: String, to size: Int) {
    _ = Glibc.truncate(path, off_t(size))
}

func fileSize(_ path: String) -> Int {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? -1
}

/// Offsets at which each line of the log starts, plus its end.
func lineStarts(_ bytes: [UInt8]) -> [Int] {
    var starts = [0]
    for (i, byte) in bytes.enumerated() where byte == 0x0A { starts.append(i + 1) }
    return starts
}

/// Another process (util-linux `flock`) that holds the store's lock while it runs a shell command; reading from
/// standard input waits until `letGo()`.
final class LockHolder {
    private let process = Process()
    private let input = Pipe()

    /// Returns once the holder has the lock.
    init(_ directory: String, thenRun command: String) throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/flock")
        process.arguments = ["--exclusive", directory, "/bin/sh", "-c", "echo held; " + command]
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let said = output.fileHandleForReading.readData(ofLength: 5)
        guard said == Data("held\n".utf8) else { throw POSIXError(.ENOLCK) }
    }

    /// Ends the holder's command (if it reads its input) and waits for it to exit.
    func letGo() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }
}
