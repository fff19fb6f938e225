import Foundation
import Glibc
import Testing

@testable import InboxStore

@Suite("Recovery")
struct RecoveryTests {
    /// Five articles, the third with a sighting; returns the records as committed (sightings filled in).
    private func makeStore(_ folder: TemporaryFolder) throws -> [ArticleRecord] {
        try withStore(folder) { store throws in
            var records = try makeStoreRecords(store)
            records += try fill(store, 5...5)
            return records
        }
    }

    /// Articles 1...4, the third with a sighting (as `record(id:)` returns them).
    private func makeStoreRecords(_ store: ArticleStore) throws -> [ArticleRecord] {
        var records = try fill(store, 1...3)
        store.stageSighting(articleID: records[2].id, sighting(3))
        try store.commit()
        records += try fill(store, 4...4)
        return try records.map { try #require(try store.record(id: $0.id)) }
    }

    @Test func repairsTornTail() throws {
        let folder = try TemporaryFolder()
        // Four articles and a sighting, then a short last article (every cut below costs two fsyncs).
        let records = try withStore(folder) { store throws in
            var records = try makeStoreRecords(store)
            records.append(store.stageArticle(
                ArticleDraft(contentHash: fakeHash(5), hashVersion: 1, rawHash: fakeHash(5, salt: 1), language: "vi",
                    wordCount: 1, body: ["x"], encoding: "utf-8", bytes: 1, sourceFile: "5", archivedAs: "5",
                    ingestedAt: "t")))
            try store.commit()
            return records
        }
        let pristineLog = try fileBytes(folder.log)
        let pristineIndex = try fileBytes(folder.index)
        let starts = lineStarts(pristineLog)
        let lastStart = starts[starts.count - 2]
        for cut in lastStart..<pristineLog.count {
            try writeBytes(Array(pristineLog[..<cut]), to: folder.log)
            try writeBytes(pristineIndex, to: folder.index)
            try withStore(folder) { store throws in
                #expect(store.counts.articles == 4, "cut at \(cut)")
                #expect(fileSize(folder.log) == lastStart, "cut at \(cut)")
                if cut > lastStart {
                    let repair = try #require(store.loadReport.repaired.first { $0.action == .truncatedTail })
                    #expect(repair.bytes == UInt64(cut - lastStart))
                    #expect(repair.reason.contains("no newline"))
                }
                for record in records.prefix(4) { #expect(try store.record(id: record.id) == record) }
                #expect(store.article(forContentHash: records[4].contentHash) == nil)
            }
        }
        // After a repair the next start is clean, and appending goes on from the cut.
        try withStore(folder) { store throws in
            #expect(store.loadReport.repaired.isEmpty)
            #expect(store.stageArticle(draft(9)).seq == 5)
            try store.commit()
        }
        try withStore(folder) { #expect($0.counts.articles == 5 && $0.loadReport.repaired.isEmpty) }
    }

    @Test func repairsTrailingNULs() throws {
        let folder = try TemporaryFolder()
        let records = try makeStore(folder)
        let size = fileSize(folder.log)
        try writeBytes(try fileBytes(folder.log) + [UInt8](repeating: 0, count: 4096), to: folder.log)
        try withStore(folder) { store throws in
            let repair = try #require(store.loadReport.repaired.first)
            #expect(repair.action == .truncatedTail)
            #expect(repair.bytes == 4096)
            #expect(repair.reason.contains("4096 NUL bytes"))
            #expect(fileSize(folder.log) == size)
            for record in records { #expect(try store.record(id: record.id) == record) }
        }
        try withStore(folder) { #expect($0.loadReport.repaired.isEmpty) }
    }

    @Test func truncatesUnparseableCompleteLastLines() throws {
        let folder = try TemporaryFolder()
        let records = try makeStore(folder)
        let size = fileSize(folder.log)
        try writeBytes(try fileBytes(folder.log) + Array("{\"type\":\"article\",\"se\n\n".utf8), to: folder.log)
        try withStore(folder) { store throws in
            #expect(store.loadReport.repaired.map(\.action) == [.truncatedTail])
            #expect(fileSize(folder.log) == size)
            #expect(store.counts.articles == records.count)
        }
    }

    @Test(arguments: [false, true])
    func skipsCorruptLineInTheMiddle(keepIndex: Bool) throws {
        let folder = try TemporaryFolder()
        let records = try makeStore(folder)
        var log = try fileBytes(folder.log)
        let starts = lineStarts(log)
        // Damage the second article's line, keeping its length and newline.
        for i in starts[1] + 10..<starts[1] + 30 { log[i] = UInt8(ascii: "#") }
        try writeBytes(log, to: folder.log)
        if !keepIndex { try FileManager.default.removeItem(atPath: folder.index) }
        try withStore(folder) { store throws in
            let skipped = store.loadReport.repaired.filter { $0.action == .skippedCorruptLine }
            #expect(skipped.count == 1)
            #expect(skipped.first?.offset == UInt64(starts[1]))
            #expect(!store.loadReport.repaired.contains { $0.action == .truncatedTail })
            #expect(fileSize(folder.log) == log.count)
            #expect(store.counts.articles == 4)
            #expect(try store.record(id: records[1].id) == nil)
            for i in [0, 2, 3, 4] { #expect(try store.record(id: records[i].id) == records[i]) }
            #expect(store.stageArticle(draft(6)).seq == 6)
            try store.commit()
        }
        try withStore(folder) { store throws in
            #expect(store.counts.articles == 5)
            #expect(store.loadReport.rebuiltIndexEntries == 0)
            #expect(store.loadReport.repaired.map(\.action) == [.skippedCorruptLine])
        }
    }

    @Test func recoversRecordAfterZeroedLine() throws {
        let folder = try TemporaryFolder()
        let records = try makeStore(folder)
        var log = try fileBytes(folder.log)
        let starts = lineStarts(log)
        // The whole second line, newline included, reads back as zeros (lost page): it runs into the third.
        for i in starts[1]..<starts[2] { log[i] = 0 }
        try writeBytes(log, to: folder.log)
        try FileManager.default.removeItem(atPath: folder.index)
        try withStore(folder) { store throws in
            let skipped = try #require(store.loadReport.repaired.first { $0.action == .skippedCorruptLine })
            #expect(skipped.bytes == UInt64(starts[2] - starts[1]))
            #expect(skipped.reason.contains("NUL"))
            #expect(store.counts.articles == 4)
            #expect(try store.record(id: records[2].id) == records[2])
        }
    }

    @Test func keepsWellFormedLinesItCannotUse() throws {
        let folder = try TemporaryFolder()
        _ = try makeStore(folder)
        let future = #"{"type":"tombstone","seq":99,"note":"from a newer inboxd"}"# + "\n"
        let orphan = #"{"type":"sighting","article_id":"0000000000000000","file":"x","at":"t","kind":"exact","raw_hash":"\#(fakeHash(1))","stored_as":"y"}"# + "\n"
        try writeBytes(try fileBytes(folder.log) + Array((future + orphan).utf8), to: folder.log)
        let size = fileSize(folder.log)
        try withStore(folder) { store throws in
            #expect(store.loadReport.repaired.map(\.action) == [.ignoredLine, .ignoredLine, .indexedLogTail])
            #expect(fileSize(folder.log) == size)
            #expect(store.stageArticle(draft(6)).seq == 100)
            try store.commit()
        }
        try withStore(folder) { store throws in
            #expect(store.loadReport.repaired.map(\.action) == [.ignoredLine, .ignoredLine])
            #expect(store.counts.articles == 6)
        }
    }

    @Test func rebuildsDeletedIndex() throws {
        let folder = try TemporaryFolder()
        let records = try makeStore(folder)
        let pristineIndex = try fileBytes(folder.index)
        let before = try withStore(folder) { store in records.map { store.article(forContentHash: $0.contentHash) } }
        try FileManager.default.removeItem(atPath: folder.index)
        try withStore(folder) { store throws in
            #expect(store.loadReport.repaired.map(\.action) == [.rebuiltIndex])
            #expect(store.loadReport.rebuiltIndexEntries == 6)
            #expect(records.map { store.article(forContentHash: $0.contentHash) } == before)
            #expect(store.article(forRawHash: sighting(3).rawHash)?.id == records[2].id)
            for record in records { #expect(try store.record(id: record.id) == record) }
        }
        #expect(try fileBytes(folder.index) == pristineIndex)
    }

    @Test func rebuildsTornIndex() throws {
        let folder = try TemporaryFolder()
        let records = try makeStore(folder)
        let pristine = try fileBytes(folder.index)
        let entry = IndexEntry.size
        let header = IndexHeader.size
        let damaged: [(String, [UInt8], [StoreRepair.Action])] = [
            ("torn last entry", Array(pristine.dropLast(entry / 2)), [.droppedIndexEntries, .indexedLogTail]),
            ("bad entry checksum", pristine.enumerated().map { $0 == header + 2 * entry + 40 ? $1 ^ 0xFF : $1 },
                [.droppedIndexEntries, .indexedLogTail]),
            ("garbage header", [UInt8](repeating: 0x41, count: header) + pristine.dropFirst(header), [.rebuiltIndex]),
            ("header only, torn", Array(pristine.prefix(20)), [.rebuiltIndex]),
            ("header only", Array(pristine.prefix(header)), [.indexedLogTail]),
        ]
        for (label, bytes, actions) in damaged {
            try writeBytes(bytes, to: folder.index)
            try withStore(folder) { store throws in
                #expect(store.loadReport.repaired.map(\.action) == actions, "\(label)")
                #expect(store.counts.articles == 5, "\(label)")
                for record in records { #expect(try store.record(id: record.id) == record, "\(label)") }
            }
            #expect(try fileBytes(folder.index) == pristine, "\(label)")
        }
    }

    @Test func dropsIndexEntriesBeyondTheLog() throws {
        let folder = try TemporaryFolder()
        let records = try makeStore(folder)
        let starts = lineStarts(try fileBytes(folder.log))
        truncateFile(folder.log, to: starts[4])  // keep three articles and the sighting
        try withStore(folder) { store throws in
            let repair = try #require(store.loadReport.repaired.first)
            #expect(store.loadReport.repaired.count == 1)
            #expect(repair.action == .droppedIndexEntries)
            #expect(repair.reason.contains("shorter than the index"))
            #expect(repair.bytes == UInt64(2 * IndexEntry.size))
            #expect(store.loadReport.indexEntriesLoaded == 4)
            #expect(store.counts.articles == 3)
            #expect(store.article(forContentHash: records[3].contentHash) == nil)
            #expect(try store.record(id: records[2].id) == records[2])
            #expect(store.stageArticle(draft(4)).seq == 4)
            try store.commit()
        }
        try withStore(folder) { #expect($0.loadReport.repaired.isEmpty && $0.counts.articles == 4) }
    }

    @Test func rescansWhenTheLogChangedUnderTheIndex() throws {
        let folder = try TemporaryFolder()
        let records = try makeStore(folder)
        var log = try fileBytes(folder.log)
        let starts = lineStarts(log)
        // Same length, different bytes, still valid JSON: the index entry's line CRC no longer matches.
        let title = Array(#""title":"B"#.utf8)
        let at = try #require((starts[4]..<starts[5]).first { Array(log[$0..<$0 + title.count]) == title })
        log[at + title.count - 1] = UInt8(ascii: "C")
        try writeBytes(log, to: folder.log)
        try withStore(folder) { store throws in
            #expect(store.loadReport.repaired.first?.action == .droppedIndexEntries)
            #expect(store.loadReport.repaired.first?.reason.contains("checksum") == true)
            #expect(store.counts.articles == 5)
            #expect(try store.record(id: records[0].id) == records[0])
            #expect(try store.record(id: records[3].id)?.title?.hasPrefix("Cài") == true)
        }
    }

    @Test func removesLeftoverTemporaryFiles() throws {
        let folder = try TemporaryFolder()
        _ = try makeStore(folder)
        try writeBytes([1, 2, 3], to: folder.store + "/index.bin.tmp")
        try writeBytes([4, 5], to: folder.store + "/articles.jsonl.compact.tmp")
        try withStore(folder) { store throws in
            let removed = store.loadReport.repaired.filter { $0.action == .removedTempFile }
            #expect(removed.count == 2)
            #expect(Set(removed.map(\.bytes)) == [3, 2])
            #expect(store.counts.articles == 5)
        }
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.store)) == ["articles.jsonl", "index.bin"])
    }

    @Test func startsEmptyWhenTheLogIsMissing() throws {
        let folder = try TemporaryFolder()
        _ = try makeStore(folder)
        try FileManager.default.removeItem(atPath: folder.log)
        try withStore(folder) { store throws in
            #expect(store.counts.articles == 0)
            #expect(store.loadReport.repaired.map(\.action) == [.droppedIndexEntries])
            #expect(store.stageArticle(draft(1)).seq == 1)
        }
    }

    @Test func rollsBackAFailedCommit() throws {
        let folder = try TemporaryFolder()
        try withStore(folder) { store throws in
            try fill(store, 1...2)
            let size = fileSize(folder.log)
            let staged = (3...5).map { store.stageArticle(draft($0)) }
            store.stageSighting(articleID: staged[0].id, sighting(3))
            store.injectedCommitFailure.withLock { $0 = ENOSPC }
            #expect(throws: StoreError.self) { try store.commit() }
            #expect(store.counts.articles == 2 && store.counts.sightings == 0 && store.counts.pendingRecords == 0)
            #expect(store.article(forContentHash: staged[0].contentHash) == nil)
            #expect(store.article(forRawHash: sighting(3).rawHash) == nil)
            #expect(fileSize(folder.log) == size)
            let again = (3...5).map { store.stageArticle(draft($0)) }
            #expect(again == staged)
            try store.commit()
            #expect(try store.record(id: staged[2].id) == staged[2])
        }
        try withStore(folder) { store throws in
            #expect(store.loadReport.repaired.isEmpty)
            #expect(store.counts.articles == 5)
        }
    }

    @Test func reportsDamageFoundOnRead() throws {
        let folder = try TemporaryFolder()
        let records = try makeStore(folder)
        try withStore(folder) { store throws in
            var log = try fileBytes(folder.log)
            let starts = lineStarts(log)
            log[starts[1] + 40] ^= 0x01
            try writeBytes(log, to: folder.log)
            do throws(StoreError) {
                _ = try store.record(id: records[1].id)
                Issue.record("damage not noticed")
            } catch {
                guard case .corruptRecord(_, let offset, let reason) = error else { throw error }
                #expect(offset == UInt64(starts[1]))
                #expect(reason.contains("checksum"))
                #expect(error.description.contains("delete index.bin"))
            }
            #expect(try store.record(id: records[0].id) == records[0])
        }
    }

    @Test func describesErrorsWithPathErrnoAndRemedy() {
        let error = StoreError.io(operation: "write", path: "/state/store/articles.jsonl", errno: ENOSPC)
        #expect(error.errno == ENOSPC)
        #expect(error.path == "/state/store/articles.jsonl")
        #expect(error.description.contains("No space left on device"))
        #expect(error.description.contains("free space"))
    }

    @Test func skipsRunawayLinesWithoutExhaustingMemory() throws {
        let folder = try TemporaryFolder()
        let records = try makeStore(folder)
        let log = try fileBytes(folder.log)
        let starts = lineStarts(log)
        // 3000 garbage bytes with no newline run into the last line; then the tail is a 5000-byte runaway line.
        let damaged = Array(log[..<starts[5]]) + [UInt8](repeating: 0x41, count: 3000) + Array(log[starts[5]...])
            + [UInt8](repeating: 0x42, count: 5000)
        try writeBytes(damaged, to: folder.log)
        try FileManager.default.removeItem(atPath: folder.index)
        let logFD = open(folder.log, O_RDWR)
        let indexFD = open(folder.index, O_RDWR | O_CREAT, 0o640)
        defer { [logFD, indexFD].forEach { _ = close($0) } }
        var loader = StoreLoader(
            logPath: folder.log, logFD: logFD, indexPath: folder.index, indexFD: indexFD, maxLineLength: 1024)
        try loader.load()
        #expect(loader.state.articles.count == 5)  // the last article was found after the runaway garbage
        #expect(loader.repairs.map(\.action).filter { $0 != .rebuiltIndex }.first == .skippedCorruptLine)
        #expect(loader.repairs.last?.action == .truncatedTail)
        #expect(fileSize(folder.log) == log.count + 3000)
        try withStore(folder) { store throws in
            #expect(try store.record(id: records[4].id) == records[4])
        }
    }
}
