import Foundation
import Glibc
import Synchronization

/// The durable article store: an append-only JSON-lines log (`articles.jsonl`, the source of truth) and a
/// derivable binary index (`index.bin`) in one folder. See docs/store.md.
///
/// Thread safety: all mutable state sits behind one `Mutex`; commits are serialized by a second one and do their
/// writes and fsyncs outside the state lock, so readers (lookups, `record`, `page`) never wait for a disk flush.
/// File descriptors are immutable for the store's lifetime and only read with `pread` outside the lock.
public final class ArticleStore: Sendable {
    public static let logFileName = "articles.jsonl"
    public static let indexFileName = "index.bin"
    /// Files in the store folder with this suffix are temporaries (of a future compaction); removed at start.
    public static let temporarySuffix = ".tmp"

    public let directory: String
    public let logPath: String
    public let indexPath: String
    /// What the start-up found: counts, time, repairs.
    public let loadReport: LoadReport

    private let logFD: Int32
    private let indexFD: Int32
    private let directoryFD: Int32
    private let state: Mutex<StoreState>
    /// Serializes commits; holds when the index was last fdatasync'd.
    private let commitLock = Mutex<ContinuousClock.Instant?>(nil)
    /// The index is derivable from the log (the loader indexes whatever log tail it does not cover), so a
    /// commit waits for the log's fdatasync only; the index is flushed at most this often, and on close.
    static let indexSyncInterval: Duration = .seconds(1)
    /// Tests only: when set, the next commit fails with this errno once its log bytes are written (as a full disk
    /// or an I/O error would), so the roll-back can be tested.
    let injectedCommitFailure = Mutex<Int32?>(nil)

    /// How long opening waits for the lock: long enough for a child that this process is just starting to exec
    /// (and so close its copy of the lock), short enough that a second inboxd is refused at once.
    public static let defaultLockWait: Duration = .milliseconds(500)

    /// Opens the store in `directory`, creating the folder and files if needed, and loads it: reads the index,
    /// checks it against the log, indexes any log tail it does not cover, cuts a torn tail off the log, skips
    /// corrupt lines in the middle. It never refuses to start because of damaged contents.
    ///
    /// Throws `StoreError.locked` if another process still has the store open after `lockWait`, `.io` if the
    /// folder or files cannot be created, read or written (permissions, full disk, I/O error).
    public init(directory: String, lockWait: Duration = defaultLockWait) throws(StoreError) {
        let clock = ContinuousClock()
        let started = clock.now
        self.directory = directory
        logPath = directory + "/" + Self.logFileName
        indexPath = directory + "/" + Self.indexFileName

        try FileIO.makeDirectories(directory)
        let dirFD = try FileIO.open(directory, flags: O_RDONLY | O_DIRECTORY)
        var opened: [Int32] = [dirFD]
        do {
            try FileIO.lockExclusive(dirFD, path: directory, wait: lockWait)
            var repairs = Self.removeTemporaryFiles(in: directory)
            let log = try FileIO.openOrCreate(logPath)
            opened.append(log.fd)
            let index = try FileIO.openOrCreate(indexPath)
            opened.append(index.fd)
            if log.created || index.created || !repairs.isEmpty { try FileIO.sync(dirFD, path: directory) }

            var loader = StoreLoader(logPath: logPath, logFD: log.fd, indexPath: indexPath, indexFD: index.fd)
            try loader.load()
            repairs += loader.repairs

            logFD = log.fd
            indexFD = index.fd
            directoryFD = dirFD
            let state = loader.state
            loadReport = LoadReport(
                articles: state.articles.count, sightings: state.sightings.count,
                seconds: Self.seconds(clock.now - started), repaired: repairs,
                indexEntriesLoaded: loader.indexEntriesLoaded, rebuiltIndexEntries: loader.rebuiltIndexEntries)
            self.state = Mutex(state)
        } catch {
            for fd in opened { FileIO.close(fd) }
            throw error
        }
    }

    deinit {
        _ = fdatasync(indexFD)
        FileIO.close(logFD)
        FileIO.close(indexFD)
        FileIO.close(directoryFD)  // also releases the flock
    }

    // MARK: - Lookups (in memory, O(1))

    /// The article with this content hash (64 hex digits), staged or durable.
    public func article(forContentHash contentHash: String) -> ArticleSummary? {
        guard let hash = Hash256(hex: contentHash) else { return nil }
        return state.withLock { s in s.article(content: hash).map { s.summary(of: $0) } }
    }

    /// The article stored from these bytes, or sighted with them (raw hashes of originals and of sightings).
    public func article(forRawHash rawHash: String) -> ArticleSummary? {
        guard let hash = Hash256(hex: rawHash) else { return nil }
        return state.withLock { s in s.article(raw: hash).map { s.summary(of: $0) } }
    }

    /// True when these bytes are on record (an article's original or a sighting), staged or durable: cheaper
    /// than ``article(forRawHash:)`` when only the answer matters.
    public func knowsRawHash(_ rawHash: String) -> Bool {
        guard let hash = Hash256(hex: rawHash) else { return false }
        return state.withLock { $0.article(raw: hash) != nil }
    }

    /// The article with this id.
    public func article(id: String) -> ArticleSummary? {
        state.withLock { s in s.article(id: id).map { s.summary(of: $0) } }
    }

    /// True if a sighting of `file` with `rawHash` is already recorded (or staged) for the article: the daemon took
    /// the same duplicate again after a crash. Keys are 64-bit hashes of (article, file, raw hash).
    public func hasSighting(articleID: String, file: String, rawHash: String) -> Bool {
        guard let raw = Hash256(hex: rawHash) else { return false }
        let fileKey = Mix.fileKey(file)
        return state.withLock { s in
            guard let index = s.article(id: articleID) else { return false }
            return s.sightingKeys.contains(
                Mix.sightingKey(articleSeq: s.articles[index].seq, fileKey: fileKey, rawHash: raw))
        }
    }

    /// Totals; `bytesOnDisk` counts durable bytes only.
    public var counts: StoreCounts {
        state.withLock { s in
            StoreCounts(
                articles: s.articles.count, sightings: s.sightings.count, sightingsByKind: s.sightingsByKind,
                bytesOnDisk: s.durableLogEnd + IndexHeader.entryOffset(s.durableIndexEntries),
                pendingRecords: s.pendingRecords)
        }
    }

    // MARK: - Staging and committing

    /// Buffers a new article and returns it with its id and seq; lookups see it at once. Nothing reaches the disk
    /// before `commit()`. The store does not deduplicate: look the content hash up first.
    ///
    /// `draft.contentHash` and `draft.rawHash` must be SHA-256 values in hex (64 digits; stored lowercase):
    /// anything else is a programming error and stops the process.
    public func stageArticle(_ draft: ArticleDraft) -> ArticleRecord {
        guard let content = Hash256(hex: draft.contentHash), let raw = Hash256(hex: draft.rawHash) else {
            preconditionFailure("ArticleDraft hashes must be 64 hex digits: \(draft.contentHash) \(draft.rawHash)")
        }
        let fileKey = Mix.fileKey(draft.sourceFile)
        return state.withLock { s in
            let suffix = s.nextSuffix(prefix: content.a)
            let seq = s.maxSeq + 1
            let record = ArticleRecord(
                draft: draft, id: ArticleID.format(prefix: content.a, suffix: suffix), seq: seq,
                contentHash: content.hex, rawHash: raw.hex)
            let start = s.pendingLog.count
            JSONLine.appendArticle(record, to: &s.pendingLog)
            let length = s.pendingLog.count - start
            let crc = CRC32.checksum(s.pendingLog, range: start..<s.pendingLog.count)
            let offset = s.stagingLogOffset + UInt64(start)
            IndexEntry(
                offset: offset, length: UInt32(length), lineCRC: crc, kind: .article, idSuffix: suffix, seq: seq,
                hashA: content, hashB: raw, fileKey: fileKey
            ).append(to: &s.pendingIndex)
            s.addArticle(
                ArticleSlot(
                    offset: offset, length: UInt32(length), lineCRC: crc, seq: seq, contentHash: content, rawHash: raw,
                    fileKey: fileKey, idSuffix: suffix))
            s.pendingRecords += 1
            return record
        }
    }

    /// Buffers a duplicate sighting of an article; `record(id:)`, `hasSighting` and raw-hash lookups see it at once.
    /// Returns false (and stages nothing) if no article has this id or `sighting.rawHash` is not 64 hex digits.
    @discardableResult
    public func stageSighting(articleID: String, _ sighting: DuplicateSighting) -> Bool {
        guard let raw = Hash256(hex: sighting.rawHash) else { return false }
        var sighting = sighting
        sighting.rawHash = raw.hex
        let fileKey = Mix.fileKey(sighting.file)
        return state.withLock { s in
            guard let article = s.article(id: articleID) else { return false }
            let seq = s.articles[article].seq
            let start = s.pendingLog.count
            JSONLine.appendSighting(articleID: articleID, sighting, to: &s.pendingLog)
            let length = s.pendingLog.count - start
            let crc = CRC32.checksum(s.pendingLog, range: start..<s.pendingLog.count)
            let offset = s.stagingLogOffset + UInt64(start)
            IndexEntry(
                offset: offset, length: UInt32(length), lineCRC: crc, kind: .sighting,
                sightingKind: sighting.kind.indexCode, seq: seq, hashA: raw, fileKey: fileKey
            ).append(to: &s.pendingIndex)
            s.addSighting(
                SightingSlot(
                    offset: offset, length: UInt32(length), lineCRC: crc, rawHash: raw,
                    key: Mix.sightingKey(articleSeq: seq, fileKey: fileKey, rawHash: raw), article: Int32(article),
                    kind: sighting.kind))
            s.pendingRecords += 1
            return true
        }
    }

    /// Group commit: writes every staged record to the log, fdatasyncs it, then appends their index entries
    /// (fdatasync'd at most once per `indexSyncInterval`: the index is derivable). Returns once the records are
    /// durable; only then may the daemon move their files out of the inbox.
    ///
    /// On failure (full disk, I/O error) every staged record is discarded, from memory and from the files, and the
    /// error is thrown: the files are still in the inbox and are ingested again later. If even that clean-up
    /// fails, the store throws `.unusable` until it is reopened (which repairs the tail).
    public func commit() throws(StoreError) {
        try commitLock.withLock { (indexSyncedAt: inout ContinuousClock.Instant?) throws(StoreError) in
            try commitLocked(indexSyncedAt: &indexSyncedAt)
        }
    }

    /// Where a commit's bytes go and what becomes durable with them (the bytes themselves are
    /// held apart, so they can be recycled once written).
    private struct Batch {
        var logStart: UInt64
        var indexStart: UInt64
        var articles: Int
        var sightings: Int
        var records: Int
        var maxSeq: UInt64
    }

    private func commitLocked(indexSyncedAt: inout ContinuousClock.Instant?) throws(StoreError) {
        var log: [UInt8] = []
        var index: [UInt8] = []
        let batch = try state.withLock { (s: inout StoreState) throws(StoreError) -> Batch? in
            if let reason = s.unusableReason { throw .unusable(path: logPath, reason: reason) }
            guard s.pendingRecords > 0 else { return nil }
            let batch = Batch(
                logStart: s.durableLogEnd, indexStart: IndexHeader.entryOffset(s.durableIndexEntries),
                articles: s.articles.count, sightings: s.sightings.count, records: s.pendingRecords, maxSeq: s.maxSeq)
            (log, index) = s.takeForCommit()
            return batch
        }
        guard let batch else { return }
        let fault = injectedCommitFailure.withLock { $0.take() }
        do throws(StoreError) {
            try FileIO.pwriteAll(logFD, log, offset: batch.logStart, path: logPath)
            if let code = fault { throw StoreError.io(operation: "fdatasync", path: logPath, errno: code) }
            try FileIO.syncData(logFD, path: logPath)
            // The index is written only once the log lines it points at are durable.
            try FileIO.pwriteAll(indexFD, index, offset: batch.indexStart, path: indexPath)
            let now = ContinuousClock.now
            if indexSyncedAt.map({ now - $0 >= Self.indexSyncInterval }) ?? true {
                try FileIO.syncData(indexFD, path: indexPath)
                indexSyncedAt = now
            }
        } catch {
            state.withLock { s in
                do {
                    try FileIO.truncate(logFD, size: batch.logStart, path: logPath)
                    try FileIO.truncate(indexFD, size: batch.indexStart, path: indexPath)
                } catch {
                    s.unusableReason = "a failed commit could not be rolled back (\(error))"
                }
                s.dropStaged()
            }
            throw error
        }
        state.withLock { s in
            s.markDurable(articles: batch.articles, sightings: batch.sightings, records: batch.records, maxSeq: batch.maxSeq)
            s.recycle(log: &log, index: &index)
        }
    }

    /// Forgets every staged record. For a caller that staged records after a commit that failed (whose
    /// roll-back dropped what was staged when it ran): nothing staged survives to be committed unasked.
    public func discardStaged() {
        commitLock.withLock { _ in
            state.withLock { s in s.dropStaged() }
        }
    }

    // MARK: - Reading records (pread)

    /// The full record, body included, with `duplicates` filled in from its sightings; nil if no article has this
    /// id. Throws `.corruptRecord` if its bytes on disk changed since they were written, `.io` if they cannot be read.
    public func record(id: String) throws(StoreError) -> ArticleRecord? {
        guard let plan = state.withLock({ s in s.article(id: id).map { s.readPlan(of: $0) } }) else { return nil }
        return try materialize(plan, includeBody: true)
    }

    /// What search shows of an article (title, date, author, outlet, body), read from its log line alone; nil if no
    /// article has this id. Throws like `record(id:)`.
    public func articleText(id: String) throws(StoreError) -> ArticleText? {
        guard let piece = state.withLock({ s in s.article(id: id).map { s.readPlan(of: $0).article } }) else {
            return nil
        }
        let (offset, bytes) = try read(piece)
        if let text = bytes.withUnsafeBytes({ FastLineScanner.articleText($0) }) { return text }
        return ArticleText(try decodeArticle(bytes, offset: offset, decoder: JSONDecoder()))
    }

    /// Up to `limit` articles with seq greater than `after` (from the start if nil), in seq order, each with its
    /// duplicates. The cursor for the next page is the last record's seq. Bodies are left empty unless
    /// `includeBody` is true. Throws like `record(id:)`.
    public func page(after seq: UInt64?, limit: Int, includeBody: Bool = false) throws(StoreError) -> [ArticleRecord] {
        guard limit > 0 else { return [] }
        let plans = state.withLock { s in
            let first = seq.map { s.firstArticle(after: $0) } ?? 0
            let end = min(s.articles.count, first + limit)
            return (first..<end).map { s.readPlan(of: $0) }
        }
        var records: [ArticleRecord] = []
        records.reserveCapacity(plans.count)
        for plan in plans { records.append(try materialize(plan, includeBody: includeBody)) }
        return records
    }

    private func materialize(_ plan: ReadPlan, includeBody: Bool) throws(StoreError) -> ArticleRecord {
        let decoder = JSONDecoder()
        if !includeBody { decoder.userInfo[ArticleRecord.skipBodyKey] = true }
        let (offset, bytes) = try read(plan.article)
        var record = try decodeArticle(bytes, offset: offset, decoder: decoder)
        for piece in plan.sightings {
            let (offset, bytes) = try read(piece)
            guard case .sighting(_, let sighting) = try decodeLine(bytes, offset: offset, decoder: decoder) else {
                throw .corruptRecord(path: logPath, offset: offset, reason: "expected a sighting line")
            }
            record.duplicates.append(sighting)
        }
        return record
    }

    private func read(_ piece: LinePiece) throws(StoreError) -> (UInt64, [UInt8]) {
        switch piece {
        case .memory(let offset, let bytes):
            return (offset, bytes)
        case .disk(let offset, let length, let crc):
            let bytes = try FileIO.pread(logFD, count: Int(length), offset: offset, path: logPath)
            guard bytes.count == Int(length) else {
                throw .corruptRecord(path: logPath, offset: offset, reason: "the log ends inside the record")
            }
            guard CRC32.checksum(bytes) == crc else {
                throw .corruptRecord(path: logPath, offset: offset, reason: "checksum mismatch")
            }
            return (offset, bytes)
        }
    }

    private func decodeArticle(_ bytes: [UInt8], offset: UInt64, decoder: JSONDecoder) throws(StoreError) -> ArticleRecord {
        guard case .article(let record) = try decodeLine(bytes, offset: offset, decoder: decoder) else {
            throw .corruptRecord(path: logPath, offset: offset, reason: "expected an article line")
        }
        return record
    }

    private func decodeLine(_ bytes: [UInt8], offset: UInt64, decoder: JSONDecoder) throws(StoreError) -> LogLine {
        do {
            return try decoder.decode(LogLine.self, from: Data(bytes))
        } catch {
            throw .corruptRecord(path: logPath, offset: offset, reason: LogLine.describe(error))
        }
    }

    // MARK: - Helpers

    private static func removeTemporaryFiles(in directory: String) -> [StoreRepair] {
        var repairs: [StoreRepair] = []
        for name in FileIO.directoryEntries(directory) where name.hasSuffix(temporarySuffix) {
            let path = directory + "/" + name
            var info = stat()
            let size = stat(path, &info) == 0 ? UInt64(info.st_size) : 0
            if (try? FileIO.unlink(path)) != nil {
                repairs.append(
                    StoreRepair(
                        action: .removedTempFile, file: path, offset: 0, bytes: size,
                        reason: "left by an interrupted index rebuild or compaction"))
            }
        }
        return repairs
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}

extension DuplicateSighting.Kind {
    var indexCode: UInt8 { self == .exact ? 1 : 2 }

    init?(indexCode: UInt8) {
        switch indexCode {
        case 1: self = .exact
        case 2: self = .normalized
        default: return nil
        }
    }
}
