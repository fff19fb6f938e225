import Foundation
import Glibc
import InboxAPI
import Testing

/// Real faults against the real `inboxd`: hostile inbox entries, files that vanish or change while
/// taken, a full disk, a read-only state folder, too few descriptors, an unreadable file, a store
/// or inbox deleted under the running daemon. docs/reliability.md lists what each one does.
/// Serialized: several tests use mount namespaces, one a low descriptor limit.
@Suite(.serialized)
struct FaultTests {
    // MARK: - Hostile entries

    @Test(.enabled(if: getuid() == 0, "mknod of a character device needs root"))
    func hostileEntriesAreTurnedAwayAndNothingBlocks() throws {
        let daemon = try RunningDaemon()
        let inbox = daemon.inbox
        let outside = daemon.dir.sub("outside")
        try FileManager.default.createDirectory(atPath: outside + "/folder", withIntermediateDirectories: true)
        try Data("untouched\n".utf8).write(to: URL(fileURLWithPath: outside + "/folder/keep.txt"))
        let readBefore = bytesRead(pid: daemon.process.processIdentifier)
        let started = ContinuousClock.now

        // Entries that are not regular files.
        let socketFD = bindUnixSocket(inbox + "/socket.txt")
        #expect(socketFD >= 0)
        defer { close(socketFD) }
        #expect(symlink(outside + "/folder", inbox + "/folder-link.txt") == 0)
        #expect(symlink(outside + "/nothing-here", inbox + "/dangling.txt") == 0)
        try daemon.drop("target.txt", Articles.make(1))
        #expect(symlink("target.txt", inbox + "/alias.txt") == 0)
        #expect(try run("/usr/bin/mknod", [inbox + "/null.dev", "c", "1", "3"]).status == 0)
        // A hard link is a regular file the daemon was given: taken like any other. The other name
        // outside keeps the same inode, so its content must stay as it was.
        let outsideFile = outside + "/linked.txt"
        let linkedContent = Articles.make(2)
        try linkedContent.write(to: URL(fileURLWithPath: outsideFile))
        #expect(link(outsideFile, inbox + "/hardlink.txt") == 0)
        // 2 GiB that the daemon must never read.
        let sparse = daemon.dir.sub("sparse.txt")
        #expect(FileManager.default.createFile(atPath: sparse, contents: nil))
        #expect(truncate(sparse, 2 << 30) == 0)
        #expect(rename(sparse, inbox + "/sparse.txt") == 0)
        // Awkward names.
        try daemon.drop("line\nbreak.txt", Articles.make(3))
        try daemon.drop("with  spaces .txt", Articles.make(4))
        let badName = Array("bad".utf8) + [0xFF, 0xFE] + Array(".txt".utf8)
        let badPath = Array((inbox + "/").utf8) + badName
        let stageBad = daemon.dir.sub("stage-bad")
        try Articles.make(5).write(to: URL(fileURLWithPath: stageBad))
        #expect(renameRaw(Array(stageBad.utf8), badPath))
        let longName = String(repeating: "n", count: 251) + ".txt"
        let longEmpty = String(repeating: "e", count: 251) + ".txt"
        #expect(longName.utf8.count == 255)
        try daemon.drop(longName, Articles.make(6))
        try daemon.drop(longEmpty, Data())
        // One 10 MB line (under the 10 MiB default limit, so it must be parsed, and quickly).
        var line = [UInt8]()
        line.reserveCapacity(10_000_000)
        let words = ["alpha ", "beta ", "gamma ", "delta ", "epsilon ", "zeta ", "theta "].map { Array($0.utf8) }
        var index = 0
        while line.count < 10_000_000 - 8 { line += words[index % words.count]; index += index % 5 + 1 }
        try daemon.drop("one-line.txt", Data(line))
        // A folder tree: left in place, not descended.
        try FileManager.default.createDirectory(atPath: inbox + "/tree/a/b", withIntermediateDirectories: true)
        try Articles.make(7).write(to: URL(fileURLWithPath: inbox + "/tree/a/b/deep.txt"))
        try Articles.make(8).write(to: URL(fileURLWithPath: inbox + "/tree/top.txt"))

        // An ordinary file after all of that still goes through promptly.
        let dropped = ContinuousClock.now
        try daemon.drop("after.txt", Articles.make(9))
        try waitUntil("ordinary file ingested after hostile ones", timeout: .seconds(20)) { daemon.isArchived("after.txt") }
        let afterSeconds = seconds(since: dropped)
        do {
            try waitUntil("every hostile entry handled", timeout: .seconds(20)) { daemon.inboxFiles == ["tree"] }
        } catch {
            Issue.record("left in the inbox: \(daemon.inboxFiles); log: \(daemon.log.suffix(3000))")
            throw error
        }
        let handledSeconds = seconds(since: started)
        #expect(afterSeconds < 15, "after.txt took \(afterSeconds) s")
        print("FIGURE: hostile entries handled in \(String(format: "%.2f", handledSeconds)) s; ordinary file after them in \(String(format: "%.2f", afterSeconds)) s")

        let rejectedDir = daemon.state + "/rejected"
        let expectations: [(name: String, code: String)] = [
            ("socket.txt", "not_regular_file"), ("folder-link.txt", "symlink"), ("dangling.txt", "symlink"),
            ("alias.txt", "symlink"), ("null.dev", "not_regular_file"), ("sparse.txt", "too_large"),
        ]
        for (name, code) in expectations {
            let reason = reasonJSON(rejectedDir + "/" + name + ".reason.json")
            #expect(reason?["code"] as? String == code, "\(name): \(String(describing: reason))")
            #expect(reason?["file"] as? String == name)
            var st = stat()
            #expect(lstat(rejectedDir + "/" + name, &st) == 0, "\(name) moved into rejected/")
        }
        var st = stat()
        #expect(lstat(rejectedDir + "/null.dev", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR, "the device node itself moved, never opened")
        #expect(lstat(rejectedDir + "/socket.txt", &st) == 0 && (st.st_mode & S_IFMT) == S_IFSOCK)
        #expect(lstat(rejectedDir + "/folder-link.txt", &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK, "the link moved, not the folder")
        #expect(FileManager.default.contents(atPath: outside + "/folder/keep.txt") == Data("untouched\n".utf8))
        #expect(stat(rejectedDir + "/sparse.txt", &st) == 0 && st.st_size == 2 << 30 && st.st_blocks == 0, "still sparse: never filled")
        let read = bytesRead(pid: daemon.process.processIdentifier) - readBefore
        #expect(read < 200 << 20, "the daemon read \(read) bytes: it must not read the 2 GiB file")

        // Regular files under awkward names are ingested under those names.
        for name in ["target.txt", "hardlink.txt", "line\nbreak.txt", "with  spaces .txt", longName, "one-line.txt", "after.txt"] {
            #expect(daemon.archived.contains(name), "\(name.prefix(40)) archived")
        }
        #expect(lstatRaw(Array((daemon.state + "/archive/").utf8) + badName) != nil, "the non-UTF-8 name archived byte for byte")
        #expect(FileManager.default.contents(atPath: outsideFile) == linkedContent, "the hard link's other name is unchanged")
        #expect(stat(outsideFile, &st) == 0 && st.st_nlink == 2, "outside name still there, sharing the archived inode")
        let sources = Set(try daemon.storeRecords().compactMap { $0["source_file"] as? String })
        #expect(sources.isSuperset(of: ["target.txt", "hardlink.txt", "line\nbreak.txt", "with  spaces .txt", longName, "one-line.txt"]))

        // A 255-byte name that is rejected still gets its reason file (under a shortened name).
        let longReasons = daemon.rejected.filter { $0.hasSuffix(".reason.json") && $0.hasPrefix("eeee") }
        #expect(longReasons.count == 1)
        if let reasonName = longReasons.first {
            #expect(reasonName.utf8.count <= 255)
            let reason = reasonJSON(rejectedDir + "/" + reasonName)
            #expect(reason?["file"] as? String == longEmpty, "the reason names the original file")
            #expect(reason?["code"] as? String == "empty")
            #expect(FileManager.default.fileExists(atPath: rejectedDir + "/" + String(reasonName.dropLast(".reason.json".count))))
        }

        // The folder stays, untouched, and is logged once.
        #expect(FileManager.default.contents(atPath: inbox + "/tree/a/b/deep.txt") == Articles.make(7))
        #expect(FileManager.default.contents(atPath: inbox + "/tree/top.txt") == Articles.make(8))
        let folderLines = daemon.log.split(separator: "\n").filter { $0.contains("folder in the inbox left in place") && $0.contains("file=tree") }
        #expect(folderLines.count == 1)

        let status = try daemon.status()
        #expect(status.state == "ready", "last error: \(status.lastError ?? "none")")
        #expect(status.lastError == nil)
        #expect(status.rejected == expectations.count + 1)
        #expect(try daemon.stop() == 0)
    }

    @Test func filesThatVanishOrMoveAwayLeaveNoTrace() throws {
        let daemon = try RunningDaemon()
        let seed = Articles.make(100)
        // Created and deleted at once, many times: read or not, never rejected, nothing left.
        for n in 0..<300 {
            let path = daemon.inbox + "/vanish-\(n).txt"
            #expect(writeFile(rawPath: Array(path.utf8), seed))
            #expect(unlink(path) == 0)
        }
        // Renamed away right after close: either still whole outside, or taken whole, never both.
        let away = daemon.dir.sub("away")
        try FileManager.default.createDirectory(atPath: away, withIntermediateDirectories: true)
        var movedAway: [String] = []
        for n in 0..<60 {
            let name = "away-\(n).txt"
            #expect(writeFile(rawPath: Array((daemon.inbox + "/" + name).utf8), Articles.make(1000 + n)))
            if rename(daemon.inbox + "/" + name, away + "/" + name) == 0 { movedAway.append(name) }
            if n % 3 == 0 { usleep(200) }
        }
        try daemon.drop("sentinel.txt", Articles.make(2000))
        try waitUntil("sentinel ingested") { daemon.isArchived("sentinel.txt") }
        try waitUntil("inbox empty") { daemon.inboxFiles.isEmpty && (try? daemon.status().pending) == 0 }

        #expect(daemon.rejected.isEmpty, "a vanished file is never rejected: \(daemon.rejected.prefix(5))")
        let archived = Set(daemon.archived)
        let duplicates = Set(daemon.duplicates)
        #expect(archived.filter { $0.hasPrefix("vanish-") }.count + duplicates.filter { $0.hasPrefix("vanish-") }.count <= 300)
        for n in 0..<60 {
            let name = "away-\(n).txt"
            let outside = FileManager.default.contents(atPath: away + "/" + name)
            let inArchive = archived.contains(name)
            #expect((outside != nil) != inArchive, "\(name) is in exactly one place")
            if let outside { #expect(outside == Articles.make(1000 + n), "\(name) moved away whole") }
            #expect(movedAway.contains(name) == (outside != nil))
        }
        let status = try daemon.status()
        #expect(status.state == "ready")
        #expect(status.lastError == nil, "\(status.lastError ?? "")")
        #expect(status.rejected == 0)
        #expect(try daemon.stop() == 0)
        print("FIGURE: vanish loop: \(300) created+deleted, \(movedAway.count)/60 renamed away before the daemon took them")
    }

    @Test func fileAppendedAfterCloseIsTakenWholeNeverTorn() throws {
        let daemon = try RunningDaemon()
        var appended: [String: Bool] = [:]
        var versions: [String: (Data, Data)] = [:]
        for n in 0..<20 {
            let name = "growing-\(n).txt"
            let first = Articles.make(3000 + n, atLeast: 6000)
            let extra = Data(String(repeating: "\nĐoạn viết thêm sau khi đóng tệp, số \(n), kéo dài bài.\n", count: 40).utf8)
            versions[name] = (first, first + extra)
            let path = daemon.inbox + "/" + name
            #expect(writeFile(rawPath: Array(path.utf8), first))
            // Reopened for appending after the close that announced it: the daemon may be reading.
            let fd = open(path, O_WRONLY | O_APPEND)
            if fd >= 0 {
                #expect(extra.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == extra.count)
                close(fd)
                appended[name] = true
            } else {
                appended[name] = false  // taken before it could be reopened
            }
        }
        try waitUntil("growing files taken") { daemon.inboxFiles.isEmpty && (try? daemon.status().pending) == 0 }
        let records = try daemon.storeRecords()
        var firstTaken = 0
        for n in 0..<20 {
            let name = "growing-\(n).txt"
            let (first, full) = versions[name]!
            let mine = records.filter { $0["source_file"] as? String == name }
            #expect(mine.count == 1, "\(name) stored once")
            #expect(daemon.archived.contains(name) && !daemon.rejected.contains(name) && !daemon.duplicates.contains(name))
            let rawHash = mine.first?["raw_hash"] as? String
            let hashes = [try sha256Hex(first), try sha256Hex(full)]
            #expect(rawHash.map(hashes.contains) == true, "\(name): stored bytes are the first or the full version, never torn")
            if rawHash == hashes[0] { firstTaken += 1 }
            let archivedBytes = FileManager.default.contents(atPath: daemon.state + "/archive/" + name)
            #expect(archivedBytes == (appended[name] == true ? full : first), "the archived file is the file as the writer left it")
        }
        print("FIGURE: growing files: \(firstTaken)/20 stored as the first version, \(20 - firstTaken)/20 as the full one")
        #expect(try daemon.status().state == "ready")
    }

    // MARK: - Resource faults

    /// A 1 MiB tmpfs holds inbox and state in the daemon's own mount namespace: fill its bytes.
    @Test(.enabled(if: getuid() == 0, "mount namespaces need root"))
    func fullDiskDegradesKeepsFilesAndRecoversByItself() throws {
        let dir = TempDir("inboxd-fault")
        let fs = dir.sub("fs")
        try FileManager.default.createDirectory(atPath: fs, withIntermediateDirectories: true)
        let daemon = try FaultDaemon(dir: dir, inbox: fs + "/inbox", state: fs + "/state", launcher: Self.tmpfs(fs, options: "size=1m,nr_inodes=4096"))
        let inbox = daemon.seen(daemon.inbox)
        // Staged under hidden names (ignored) while there is still room.
        let articles = (0..<4).map { Articles.make(4000 + $0, atLeast: 12_000) }
        for (n, article) in articles.enumerated() { #expect(writeFile(rawPath: Array((inbox + "/.stage-\(n)").utf8), article)) }
        let filler = daemon.seen(fs + "/filler")
        let filled = Self.fillBytes(filler)
        #expect(filled > 0)
        for n in 0..<4 { #expect(rename(inbox + "/.stage-\(n)", inbox + "/full-\(n).txt") == 0) }

        try waitUntil("degraded by the full disk") { (try? daemon.status())?.state == "degraded" }
        let status = try daemon.status()
        #expect(status.lastError?.contains("No space left on device") == true, "\(status.lastError ?? "")")
        #expect(daemon.inboxFiles == (0..<4).map { "full-\($0).txt" }, "files stay in the inbox")
        let lines = storeLinesAllParse(daemon.seen(daemon.state + "/store/articles.jsonl"))
        #expect(lines.bad == 0 && lines.lines == 0, "the store has no partial record: \(lines)")
        #expect(daemon.process.isRunning)

        #expect(unlink(filler) == 0)
        let freed = ContinuousClock.now
        try waitUntil("recovered by itself", timeout: .seconds(20)) {
            daemon.inboxFiles.isEmpty && daemon.archived.count == 4 && (try? daemon.status())?.state == "ready"
        }
        let recovery = seconds(since: freed)
        print("FIGURE: disk full (bytes, 1 MiB tmpfs, \(filled) filler bytes): recovered \(String(format: "%.2f", recovery)) s after the space was freed")
        #expect(recovery < 10)
        let after = storeLinesAllParse(daemon.seen(daemon.state + "/store/articles.jsonl"))
        #expect(after.bad == 0 && after.lines == 4)
        #expect(try daemon.status().articles == 4)
        #expect(try daemon.stop() == 0)
    }

    /// The same tmpfs with 64 inodes: appends still fit, but a reason file cannot be created.
    @Test(.enabled(if: getuid() == 0, "mount namespaces need root"))
    func noInodesLeftDegradesKeepsFilesAndRecoversByItself() throws {
        let dir = TempDir("inboxd-fault")
        let fs = dir.sub("fs")
        try FileManager.default.createDirectory(atPath: fs, withIntermediateDirectories: true)
        let daemon = try FaultDaemon(dir: dir, inbox: fs + "/inbox", state: fs + "/state", launcher: Self.tmpfs(fs, options: "size=4m,nr_inodes=64"))
        let inbox = daemon.seen(daemon.inbox)
        for n in 0..<3 { #expect(writeFile(rawPath: Array((inbox + "/.stage-a\(n)").utf8), Articles.make(5000 + n))) }
        for n in 0..<2 { #expect(writeFile(rawPath: Array((inbox + "/.stage-e\(n)").utf8), Data())) }
        let fillers = daemon.seen(fs + "/fillers")
        #expect(mkdir(fillers, 0o755) == 0)
        var count = 0
        while writeFile(rawPath: Array((fillers + "/\(count)").utf8), Data()) { count += 1 }
        #expect(errno == ENOSPC && count > 0)
        for n in 0..<3 { #expect(rename(inbox + "/.stage-a\(n)", inbox + "/article-\(n).txt") == 0) }
        for n in 0..<2 { #expect(rename(inbox + "/.stage-e\(n)", inbox + "/empty-\(n).txt") == 0) }

        try waitUntil("articles archived, rejects stuck") {
            daemon.archived.count == 3 && (try? daemon.status())?.state == "degraded"
        }
        let status = try daemon.status()
        #expect(status.lastError?.contains("No space left on device") == true, "\(status.lastError ?? "")")
        #expect(daemon.inboxFiles == ["empty-0.txt", "empty-1.txt"], "files that cannot be rejected yet stay in the inbox")
        #expect(daemon.rejected.isEmpty, "no reason file without its file, no file without its reason")

        for n in 0..<count { unlink(fillers + "/\(n)") }
        let freed = ContinuousClock.now
        try waitUntil("recovered by itself", timeout: .seconds(20)) {
            daemon.inboxFiles.isEmpty && (try? daemon.status())?.state == "ready"
        }
        let recovery = seconds(since: freed)
        print("FIGURE: disk full (inodes, 64-inode tmpfs, \(count) filler files): recovered \(String(format: "%.2f", recovery)) s after the inodes were freed")
        #expect(recovery < 10)
        #expect(daemon.rejected == ["empty-0.txt", "empty-0.txt.reason.json", "empty-1.txt", "empty-1.txt.reason.json"])
        #expect(reasonJSON(daemon.seen(daemon.state + "/rejected/empty-0.txt.reason.json"))?["code"] as? String == "empty")
        #expect(try daemon.status().rejected == 2)
        #expect(try daemon.stop() == 0)
    }

    @Test(.enabled(if: getuid() == 0, "mount namespaces need root"))
    func readOnlyStateDegradesKeepsFilesAndRecoversAfterRemount() throws {
        let dir = TempDir("inboxd-fault")
        let daemon = try FaultDaemon(dir: dir, launcher: ["/usr/bin/unshare", "--mount", "--propagation", "private"])
        // Inbox and state read-only for the daemon only (its namespace); the test still writes.
        #expect(try daemon.inNamespace("/bin/mount", ["--bind", dir.path, dir.path]).status == 0)
        #expect(try daemon.inNamespace("/bin/mount", ["-o", "remount,bind,ro", dir.path]).status == 0)
        try Articles.make(6000).write(to: URL(fileURLWithPath: dir.sub("stage")))
        #expect(rename(dir.sub("stage"), daemon.inbox + "/ro-article.txt") == 0)
        #expect(FileManager.default.createFile(atPath: daemon.inbox + "/ro-empty.txt", contents: Data()))

        try waitUntil("degraded by the read-only folder") { (try? daemon.status())?.state == "degraded" }
        let status = try daemon.status()
        #expect(status.lastError?.contains("Read-only file system") == true, "\(status.lastError ?? "")")
        try waitUntil("both files tried") { daemon.log.contains("ro-empty.txt") || daemon.log.contains("Read-only") }
        #expect(daemon.inboxFiles == ["ro-article.txt", "ro-empty.txt"], "files stay in the inbox")
        #expect(storeLinesAllParse(daemon.state + "/store/articles.jsonl").bad == 0)

        #expect(try daemon.inNamespace("/bin/umount", [dir.path]).status == 0)
        let remounted = ContinuousClock.now
        try waitUntil("recovered after remount", timeout: .seconds(20)) {
            daemon.inboxFiles.isEmpty && (try? daemon.status())?.state == "ready"
        }
        print("FIGURE: read-only state: recovered \(String(format: "%.2f", seconds(since: remounted))) s after the remount")
        #expect(daemon.archived == ["ro-article.txt"])
        #expect(daemon.rejected == ["ro-empty.txt", "ro-empty.txt.reason.json"])
        let records = try storeRecords(daemon.state)
        #expect(records.filter { $0["source_file"] as? String == "ro-article.txt" }.count == 1, "stored once, however often tried")
        #expect(try daemon.stop() == 0)
    }

    @Test func lowDescriptorLimitNeverLosesFiles() throws {
        let corpus = try Corpus(articles: 200)
        let daemon = try FaultDaemon(launcher: ["/usr/bin/prlimit", "--nofile=24:24"])
        #expect(daemon.process.isRunning)
        // Hold more connections than the daemon has descriptors, then drop a burst.
        var connections: [Int32] = []
        for _ in 0..<40 { let fd = connectUnix(daemon.socket); if fd >= 0 { connections.append(fd) } }
        try corpus.stage(into: daemon.dir.sub("stage"))
        for name in corpus.names { _ = rename(daemon.dir.sub("stage") + "/" + name, daemon.inbox + "/" + name) }
        // The fault must really happen: descriptors run out while files wait.
        try waitUntil("descriptors exhausted", timeout: .seconds(20)) { daemon.log.contains("Too many open files") }
        #expect(daemon.process.isRunning, "no crash out of descriptors")
        #expect(daemon.rejected.isEmpty, "a shortage of descriptors is never the file's fault")
        for fd in connections { close(fd) }
        try waitUntil("every file taken once descriptors are back", timeout: .seconds(60)) {
            daemon.inboxFiles.isEmpty && (try? daemon.status())?.state == "ready"
        }
        let status = try daemon.status()
        #expect(status.articles == corpus.expectedDistinct)
        #expect(status.rejected == 0)
        #expect(daemon.archived.count + daemon.files(in: daemon.state + "/duplicates").count == 200, "never lost")
        print("FIGURE: RLIMIT_NOFILE=24, \(connections.count) held connections, 200 files: degraded, then all taken")
        #expect(try daemon.stop() == 0)
    }

    @Test(.enabled(if: getuid() == 0, "running the daemon as nobody needs root"))
    func unreadableFileIsRejectedWithReasonAndKept() throws {
        let dir = TempDir("inboxd-fault")
        for sub in ["inbox", "state", "run"] {
            try FileManager.default.createDirectory(atPath: dir.sub(sub), withIntermediateDirectories: true)
            #expect(chown(dir.sub(sub), 65534, 65534) == 0)
        }
        let daemon = try FaultDaemon(dir: dir, socket: dir.sub("run/inboxd.sock"),
                                     launcher: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        let secret = Articles.make(7000)
        try secret.write(to: URL(fileURLWithPath: dir.sub("stage")))
        #expect(chmod(dir.sub("stage"), 0) == 0)
        #expect(rename(dir.sub("stage"), daemon.inbox + "/secret.txt") == 0)
        try Articles.make(7001).write(to: URL(fileURLWithPath: dir.sub("stage")))
        #expect(rename(dir.sub("stage"), daemon.inbox + "/open.txt") == 0)
        try waitUntil("both handled") { daemon.inboxFiles.isEmpty }
        #expect(daemon.archived == ["open.txt"], "the daemon works as nobody")
        // open.txt is root's and not writable by nobody: fs.protected_hardlinks refuses the link
        // (Debian's default), and the file is renamed instead.
        if (try? String(contentsOfFile: "/proc/sys/fs/protected_hardlinks", encoding: .utf8))?.hasPrefix("1") == true {
            #expect(daemon.log.contains("hard links refused, files are renamed instead"), "\(daemon.log)")
        }
        let reason = reasonJSON(daemon.state + "/rejected/secret.txt.reason.json")
        #expect(reason?["code"] as? String == "unreadable")
        #expect((reason?["message"] as? String)?.contains("Permission denied") == true)
        #expect(FileManager.default.contents(atPath: daemon.state + "/rejected/secret.txt") == secret, "kept whole in rejected/")
        #expect(try daemon.status().state == "ready")
        #expect(try daemon.stop() == 0)
    }

    @Test func storeDeletedUnderTheDaemonDegradesAndRestartRecovers() throws {
        let daemon = try RunningDaemon()
        try daemon.drop("before.txt", Articles.make(8000))
        try waitUntil("first file") { daemon.isArchived("before.txt") }
        try FileManager.default.removeItem(atPath: daemon.state + "/store")
        try daemon.drop("during.txt", Articles.make(8001))
        try waitUntil("degraded: store gone") { (try? daemon.status())?.state == "degraded" }
        let reason = try daemon.status().lastError ?? ""
        #expect(reason.contains("deleted under the running daemon"), "\(reason)")
        #expect(daemon.inboxFiles == ["during.txt"], "not appended to a deleted file, kept in the inbox")
        let pid = daemon.process.processIdentifier
        // Retries go on quietly (no crash, no exit) until a restart.
        try waitUntil("a retry failed the same way") { daemon.log.components(separatedBy: "deleted under the running daemon").count > 2 }
        #expect(daemon.process.isRunning && daemon.process.processIdentifier == pid)

        #expect(try daemon.stop() == 0)
        try daemon.start()
        try waitUntil("kept file taken after restart") { daemon.isArchived("during.txt") }
        #expect(try daemon.status().articles == 1, "the new store holds what came after the deletion")
        #expect(try daemon.storeRecords().compactMap { $0["source_file"] as? String } == ["during.txt"])

        // A disposition folder deleted under the daemon is created again.
        try FileManager.default.removeItem(atPath: daemon.state + "/archive")
        try daemon.drop("later.txt", Articles.make(8002))
        try waitUntil("archived into a recreated folder") { daemon.archived == ["later.txt"] && daemon.inboxFiles.isEmpty }
        #expect(try daemon.status().state == "ready")
        #expect(try daemon.stop() == 0)
    }

    @Test func inboxDeletedOrReplacedIsWatchedAgain() throws {
        let daemon = try RunningDaemon()
        try FileManager.default.removeItem(atPath: daemon.inbox)
        try waitUntil("inbox recreated by the daemon") { (try? daemon.status())?.rescans ?? 0 >= 1 && FileManager.default.fileExists(atPath: daemon.inbox) }
        try daemon.drop("after-delete.txt", Articles.make(9000))
        try waitUntil("taken from the recreated inbox") { daemon.isArchived("after-delete.txt") }

        // Moved away and replaced by hand with a folder that already holds a file.
        let replacement = daemon.dir.sub("replacement")
        try FileManager.default.createDirectory(atPath: replacement, withIntermediateDirectories: true)
        try Articles.make(9001).write(to: URL(fileURLWithPath: replacement + "/waiting.txt"))
        #expect(rename(daemon.inbox, daemon.dir.sub("old-inbox")) == 0)
        #expect(rename(replacement, daemon.inbox) == 0 || FileManager.default.fileExists(atPath: daemon.inbox))
        try waitUntil("file in the replaced inbox taken") { daemon.isArchived("waiting.txt") }
        try daemon.drop("after-replace.txt", Articles.make(9002))
        try waitUntil("new file in the replaced inbox taken") { daemon.isArchived("after-replace.txt") }
        #expect(try daemon.status().state == "ready")
        #expect(try daemon.stop() == 0)
    }

    // MARK: - Helpers

    /// `unshare` a mount namespace, mount a small tmpfs at `path` in it, then exec inboxd.
    static func tmpfs(_ path: String, options: String) -> [String] {
        ["/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
         "mount -t tmpfs -o \(options) tmpfs '\(path)' && exec \"$0\" \"$@\""]
    }

    /// Writes zeros to `path` until the file system is full; returns the bytes written.
    static func fillBytes(_ path: String) -> Int {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { return -1 }
        defer { close(fd) }
        let chunk = [UInt8](repeating: 0, count: 4096)
        var total = 0
        while true {
            let n = write(fd, chunk, chunk.count)
            if n <= 0 { return errno == ENOSPC || n == 0 ? total : -1 }
            total += n
        }
    }
}

/// `rename` between raw-byte paths.
func renameRaw(_ from: [UInt8], _ to: [UInt8]) -> Bool {
    let a = from.map { CChar(bitPattern: $0) } + [0]
    let b = to.map { CChar(bitPattern: $0) } + [0]
    return rename(a, b) == 0
}

/// Article records of a store log (the RunningDaemon helper, for a FaultDaemon's state).
func storeRecords(_ state: String) throws -> [[String: Any]] {
    let text = try String(contentsOfFile: state + "/store/articles.jsonl", encoding: .utf8)
    return text.split(separator: "\n").compactMap { line in
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
        return object["type"] as? String == "article" ? object : nil
    }
}
