import Foundation
import Testing

@testable import InboxStore
import Synchronization

@Suite("Round trip")
struct RoundTripTests {
    @Test func roundTripsARecord() throws {
        let folder = try TemporaryFolder()
        try withStore(folder) { store throws in
            let staged = store.stageArticle(draft(1))
            try store.commit()
            #expect(staged.seq == 1)
            #expect(staged.id == String(fakeHash(1).prefix(16)))
            #expect(staged.schemaVersion == 1)
            #expect(try store.record(id: staged.id) == staged)
        }
    }

    @Test func reopensAndFindsEveryArticle() throws {
        let folder = try TemporaryFolder()
        let written = try withStore(folder) { try fill($0, 1...10) }
        try withStore(folder) { store throws in
            #expect(store.loadReport.repaired.isEmpty)
            #expect(store.loadReport.articles == 10)
            #expect(store.loadReport.indexEntriesLoaded == 10)
            #expect(store.loadReport.rebuiltIndexEntries == 0)
            for record in written {
                #expect(store.article(forContentHash: record.contentHash)?.id == record.id)
                #expect(store.article(forContentHash: record.contentHash.uppercased())?.id == record.id)
                #expect(store.article(forRawHash: record.rawHash)?.seq == record.seq)
                #expect(store.article(id: record.id)?.isDurable == true)
                #expect(try store.record(id: record.id) == record)
            }
            #expect(store.article(forContentHash: fakeHash(99)) == nil)
            #expect(store.article(forContentHash: "not a hash") == nil)
            #expect(try store.record(id: "0000000000000000") == nil)
            let next = store.stageArticle(draft(11))
            #expect(next.seq == 11)
        }
    }

    @Test func showsSightingsOnRecord() throws {
        let folder = try TemporaryFolder()
        let article = try withStore(folder) { store throws in
            let article = store.stageArticle(draft(1))
            #expect(store.stageSighting(articleID: article.id, sighting(1, kind: .exact)))
            try store.commit()
            #expect(store.stageSighting(articleID: article.id, sighting(2)))
            try store.commit()
            #expect(try store.record(id: article.id)?.duplicates == [sighting(1, kind: .exact), sighting(2)])
            return article
        }
        try withStore(folder) { store throws in
            let record = try #require(try store.record(id: article.id))
            #expect(record.duplicates == [sighting(1, kind: .exact), sighting(2)])
            #expect(store.article(forRawHash: sighting(2).rawHash)?.id == article.id)
            #expect(store.article(id: article.id)?.sightings == 2)
            let counts = store.counts
            #expect(counts.articles == 1)
            #expect(counts.sightings == 2)
            #expect(counts.sightingsByKind == [.exact: 1, .normalized: 1])
            #expect(counts.bytesOnDisk == UInt64(fileSize(folder.log) + fileSize(folder.index)))
        }
    }

    @Test func readsArticleTextOfStagedAndCommittedArticles() throws {
        let folder = try TemporaryFolder()
        let ids = try withStore(folder) { store throws in
            let first = store.stageArticle(draft(1, body: ["một \"hai\"", "ba\\bốn"]))
            #expect(store.stageSighting(articleID: first.id, sighting(1)))
            try store.commit()
            let staged = store.stageArticle(draft(3))
            for id in [first.id, staged.id] {
                let record = try #require(try store.record(id: id))
                #expect(try store.articleText(id: id) == ArticleText(record))
            }
            #expect(try store.articleText(id: "0123456789abcdef") == nil)
            try store.commit()
            return [first.id, staged.id]
        }
        try withStore(folder) { store throws in
            let text = try #require(try store.articleText(id: ids[0]))
            #expect(text.body == ["một \"hai\"", "ba\\bốn"] && text.author == "Phương Hằng")
            #expect(try store.articleText(id: ids[1])?.author == nil)
        }
    }

    @Test func refusesSightingOfUnknownArticle() throws {
        let folder = try TemporaryFolder()
        try withStore(folder) { store throws in
            #expect(!store.stageSighting(articleID: "0123456789abcdef", sighting(1)))
            var bad = sighting(2)
            bad.rawHash = "xyz"
            let article = store.stageArticle(draft(1))
            #expect(!store.stageSighting(articleID: article.id, bad))
            #expect(store.counts.pendingRecords == 1)
        }
    }

    @Test func showsStagedRecordsBeforeCommit() throws {
        let folder = try TemporaryFolder()
        try withStore(folder) { store throws in
            let article = store.stageArticle(draft(1))
            store.stageSighting(articleID: article.id, sighting(1))
            #expect(store.article(forContentHash: article.contentHash)?.isDurable == false)
            #expect(try store.record(id: article.id)?.duplicates.count == 1)
            #expect(store.counts.pendingRecords == 2)
            #expect(fileSize(folder.log) == 0)
            try store.commit()
            #expect(store.article(forContentHash: article.contentHash)?.isDurable == true)
            #expect(store.counts.pendingRecords == 0)
            #expect(fileSize(folder.log) > 0)
            try store.commit()  // nothing staged: no-op
        }
    }

    @Test func recognisesRetakeOfTheSameFile() throws {
        let folder = try TemporaryFolder()
        let article = try withStore(folder) { store throws in
            let article = store.stageArticle(draft(1, file: "a.txt"))
            store.stageSighting(articleID: article.id, sighting(7, file: "b.txt"))
            try store.commit()
            return article
        }
        try withStore(folder) { store throws in
            let summary = try #require(store.article(forContentHash: article.contentHash))
            #expect(summary.isOriginal(file: "a.txt", rawHash: article.rawHash))
            #expect(summary.isOriginal(file: "a.txt", rawHash: article.rawHash.uppercased()))
            #expect(!summary.isOriginal(file: "b.txt", rawHash: article.rawHash))
            #expect(!summary.isOriginal(file: "a.txt", rawHash: fakeHash(5)))
            #expect(store.hasSighting(articleID: article.id, file: "b.txt", rawHash: sighting(7).rawHash))
            #expect(!store.hasSighting(articleID: article.id, file: "c.txt", rawHash: sighting(7).rawHash))
            #expect(!store.hasSighting(articleID: article.id, file: "b.txt", rawHash: fakeHash(8)))
            #expect(!store.hasSighting(articleID: "ffffffffffffffff", file: "b.txt", rawHash: sighting(7).rawHash))
        }
    }

    @Test func pagesInSeqOrder() throws {
        let folder = try TemporaryFolder()
        try withStore(folder) { store throws in
            try fill(store, 1...25, batch: 7)
            store.stageSighting(articleID: try #require(store.article(forContentHash: fakeHash(3))).id, sighting(3))
            try store.commit()
        }
        try withStore(folder) { store throws in
            var seen: [UInt64] = []
            var cursor: UInt64? = nil
            while true {
                let page = try store.page(after: cursor, limit: 10)
                if page.isEmpty { break }
                #expect(page.allSatisfy { $0.body.isEmpty })
                seen += page.map(\.seq)
                cursor = page.last?.seq
            }
            #expect(seen == Array(1...25))
            let withBodies = try store.page(after: 2, limit: 1, includeBody: true)
            #expect(withBodies.map(\.seq) == [3])
            #expect(withBodies.first?.body == draft(3).body)
            #expect(withBodies.first?.duplicates == [sighting(3)])
            #expect(try store.page(after: 25, limit: 10).isEmpty)
            #expect(try store.page(after: nil, limit: 0).isEmpty)
        }
    }

    @Test func assignsDistinctIdsOnPrefixCollision() throws {
        let folder = try TemporaryFolder()
        let base = fakeHash(1)
        let prefix = String(base.prefix(16))
        let second = prefix + String(fakeHash(2).suffix(48))
        let third = prefix + String(fakeHash(3).suffix(48))
        let ids = try withStore(folder) { store throws in
            let ids = [base, second, third].enumerated().map { i, hash in
                store.stageArticle(draft(i + 1, contentHash: hash)).id
            }
            try store.commit()
            return ids
        }
        #expect(ids == [prefix, prefix + "-2", prefix + "-3"])
        for rebuild in [false, true] {
            if rebuild { try FileManager.default.removeItem(atPath: folder.index) }
            try withStore(folder) { store throws in
                for (id, hash) in zip(ids, [base, second, third]) {
                    #expect(store.article(forContentHash: hash)?.id == id)
                    #expect(try store.record(id: id)?.contentHash == hash)
                }
                #expect(store.stageArticle(draft(4, contentHash: prefix + String(fakeHash(4).suffix(48)))).id
                    == prefix + "-4")
            }
        }
    }

    @Test func refusesSecondOpenWhileLocked() throws {
        let folder = try TemporaryFolder()
        _ = try withStore(folder) { _ throws in
            #expect(throws: StoreError.self) { _ = try ArticleStore(directory: folder.store) }
        }
        try withStore(folder) { store throws in #expect(store.counts.articles == 0) }
    }

    /// A child of the opening process holds the lock from its fork until its exec: opening waits that out.
    @Test func waitsForAHolderThatLetsGoWithinTheWait() throws {
        let folder = try TemporaryFolder()
        try withStore(folder) { _ throws in }
        // Held for a second: the open must have waited, unless this thread stalled for most of it.
        let holder = try LockHolder(folder.store, thenRun: "sleep 1")
        let started = ContinuousClock.now
        try withStore(folder, lockWait: .seconds(30)) { store throws in #expect(store.counts.articles == 0) }
        #expect(ContinuousClock.now - started >= .milliseconds(100), "opened while the holder still held the lock")
        holder.letGo()
    }

    @Test func refusesAHolderThatKeepsTheLockPastTheWait() throws {
        let folder = try TemporaryFolder()
        try withStore(folder) { _ throws in }
        let holder = try LockHolder(folder.store, thenRun: "read _")
        let started = ContinuousClock.now
        #expect {
            _ = try ArticleStore(directory: folder.store, lockWait: .milliseconds(50))
        } throws: { error in
            guard case StoreError.locked(let path) = error else { return false }
            return path == folder.store && "\(error)".contains("stop the other inboxd")
        }
        #expect(ContinuousClock.now - started >= .milliseconds(50))
        holder.letGo()
        try withStore(folder) { store throws in #expect(store.counts.articles == 0) }
    }

    @Test func readsWhileCommitting() throws {
        let folder = try TemporaryFolder()
        try withStore(folder) { store throws in
            // The writer holds the store only while it writes and says when it let go: the store is
            // reopened below, and a reference still held by the exiting thread would keep it locked.
            let writerDone = DispatchSemaphore(value: 0)
            let writer = Thread { [weak store] in
                if let store {
                    for n in 1...2_000 {
                        _ = store.stageArticle(draft(n))
                        if n % 64 == 0 { try? store.commit() }
                    }
                    try? store.commit()
                }
                writerDone.signal()
            }
            writer.start()
            var reads = 0
            while store.counts.articles < 2_000 || store.counts.pendingRecords > 0 {
                let count = store.counts.articles
                if count > 0 {
                    let n = Int.random(in: 1...count)
                    let summary = try #require(store.article(forContentHash: fakeHash(n)))
                    #expect(try store.record(id: summary.id)?.seq == UInt64(n))
                    _ = try store.page(after: UInt64(n), limit: 5)
                    reads += 1
                }
            }
            #expect(reads > 0)
            writerDone.wait()
        }
        try withStore(folder) { #expect($0.counts.articles == 2_000) }
    }

    /// The daemon stages the next batch while the last one commits on another thread: every record
    /// lands once, in seq order, at the offset it was given, whichever commit took it.
    @Test func stagesWhileACommitRuns() throws {
        let folder = try TemporaryFolder()
        try withStore(folder) { store throws in
            let stop = Atomic<Bool>(false)
            let committerDone = DispatchSemaphore(value: 0)
            let committer = Thread { [weak store] in
                while !stop.load(ordering: .acquiring) { try? store?.commit() }
                committerDone.signal()
            }
            committer.start()
            for n in 1...2_000 {
                let record = store.stageArticle(draft(n))
                if n % 7 == 0 { store.stageSighting(articleID: record.id, sighting(n)) }
                // Readable at once wherever its line is: staged, being written, or durable.
                let read = try #require(try store.record(id: record.id), "record \(n) readable")
                #expect(read.seq == UInt64(n) && read.duplicates.count == (n % 7 == 0 ? 1 : 0))
            }
            stop.store(true, ordering: .releasing)
            committerDone.wait()
            try store.commit()
            #expect(store.counts.pendingRecords == 0)
        }
        try withStore(folder) { store throws in
            #expect(store.loadReport.repaired.isEmpty)
            #expect(store.counts.articles == 2_000)
            #expect(store.counts.sightings == 2_000 / 7)
            let page = try store.page(after: nil, limit: 2_000)
            #expect(page.map(\.seq) == (1...2_000).map(UInt64.init))
            #expect(page.filter { !$0.duplicates.isEmpty }.count == 2_000 / 7)
        }
    }

    /// After a failed commit, records staged after its roll-back are dropped by `discardStaged`
    /// and never reach the log; the store goes on from its durable state.
    @Test func discardsWhatWasStagedAfterAFailedCommit() throws {
        let folder = try TemporaryFolder()
        try withStore(folder) { store throws in
            _ = try fill(store, 1...10)
            _ = store.stageArticle(draft(11))
            store.injectedCommitFailure.withLock { $0 = ENOSPC }
            #expect(throws: StoreError.self) { try store.commit() }
            _ = store.stageArticle(draft(12))
            #expect(store.counts.pendingRecords == 1)
            store.discardStaged()
            #expect(store.counts.pendingRecords == 0)
            #expect(store.counts.articles == 10)
            #expect(store.article(forContentHash: fakeHash(12)) == nil)
            _ = store.stageArticle(draft(13))
            try store.commit()
        }
        try withStore(folder) { store throws in
            #expect(store.loadReport.repaired.isEmpty)
            #expect(store.counts.articles == 11)
            #expect(store.article(forContentHash: fakeHash(11)) == nil)
            #expect(store.article(forContentHash: fakeHash(12)) == nil)
            #expect(store.article(forContentHash: fakeHash(13)) != nil)
        }
    }

    /// A committed batch's buffers are kept for the next one, but not when a batch of huge files
    /// grew them: that memory would stay pinned for good.
    @Test func keepsOnlyModestSpareBuffers() {
        var state = StoreState()
        var huge = [UInt8](repeating: 1, count: StoreState.spareLimit + 1)
        var index: [UInt8] = [1, 2, 3]
        state.recycle(log: &huge, index: &index)
        #expect(state.spareLog.capacity == 0)
        #expect(state.spareIndex.isEmpty && state.spareIndex.capacity >= 3)
        var modest = [UInt8](repeating: 1, count: 100_000)
        var empty: [UInt8] = []
        state.recycle(log: &modest, index: &empty)
        #expect(state.spareLog.isEmpty && state.spareLog.capacity >= 100_000)
    }

    @Test func appendsTwentyThousandRecordsInBatches() throws {
        let folder = try TemporaryFolder()
        try withStore(folder) { store throws in
            for n in 1...20_000 {
                let record = store.stageArticle(draft(n, body: ["Đoạn \(n)."]))
                if n % 10 == 0 { store.stageSighting(articleID: record.id, sighting(n, kind: .exact)) }
                if n % 256 == 0 { try store.commit() }
            }
            try store.commit()
        }
        try withStore(folder) { store throws in
            #expect(store.loadReport.repaired.isEmpty)
            #expect(store.loadReport.articles == 20_000)
            #expect(store.loadReport.sightings == 2_000)
            #expect(store.counts.sightingsByKind[.exact] == 2_000)
            #expect(store.article(forContentHash: fakeHash(12_345))?.seq == 12_345)
            let last = try #require(try store.record(id: String(fakeHash(20_000).prefix(16))))
            #expect(last.duplicates.count == 1)
        }
    }
}
