import Foundation
import Glibc
import Testing

/// A corpus made by the vendored generator (deterministic), with its ground-truth manifest.
struct Corpus {
    let dir: TempDir
    let files: URL
    let manifest: [String: Any]

    init(articles: Int, bad: Int = 0) throws {
        dir = TempDir("inboxd-corpus")
        let generator = Repo.corpusGenerator.path
        let result = try run("/usr/bin/env", ["python3", generator, dir.path, "--articles", String(articles),
                                               "--bad", String(bad), "--seeds-dir", Repo.seeds.path])
        guard result.status == 0 else { throw TimedOut(what: "corpus generator failed: \(result.stderr)") }
        files = dir.url.appendingPathComponent("files")
        let data = try Data(contentsOf: dir.url.appendingPathComponent("manifest.json"))
        manifest = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    var entries: [String: [String: Any]] { manifest["files"] as? [String: [String: Any]] ?? [:] }
    var names: [String] { entries.keys.sorted() }
    var expectedDistinct: Int { manifest["expected_distinct"] as? Int ?? -1 }
    var duplicateCount: Int { entries.values.filter { ["exact_dup", "normalized_dup"].contains($0["kind"] as? String) }.count }

    /// Stages every file beside `daemon`'s inbox, renames them all in at once, and waits until the
    /// inbox is empty and nothing is pending.
    func dropBurst(into daemon: RunningDaemon) throws {
        try stage(into: daemon.dir.sub("stage"))
        for name in names {
            #expect(rename(daemon.dir.sub("stage") + "/" + name, daemon.inbox + "/" + name) == 0)
        }
        try waitUntil("burst ingested", timeout: .seconds(120)) {
            daemon.inboxFiles.isEmpty && (try? daemon.status().pending) == 0
        }
    }

    /// Copies the files to a staging folder on the inbox's file system, ready to be renamed in.
    func stage(into folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in names {
            try FileManager.default.copyItem(atPath: files.appendingPathComponent(name).path, toPath: folder + "/" + name)
        }
    }
}
