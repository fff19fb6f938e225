import Dispatch
import Glibc
import InboxCore
import InboxStore
import InboxSystemd
import InboxWatcher
import Logging

/// The main job: take each finished inbox file through the pipeline into the store, then move it
/// to its disposition. Runs on one thread; reading and parsing fan out to both cores, and the
/// store's commits and the folder fsyncs run on lanes of their own (see `pump`).
final class IngestEngine {
    private(set) var configuration: DaemonConfiguration
    let store: ArticleStore
    let board: StatusBoard
    let notifier: ServiceNotifier
    private(set) var logger: Logger
    let telemetry: Telemetry
    private let dispositions: Dispositions
    private let parsingPool = ParsingPool()
    private var reader: InboxFileReader
    private var watcher: InotifyWatcher?
    private var queue = PendingQueue()
    private var loggedFolders: Set<String> = []
    private var lastStatusLine = ""
    /// Shown before the counts in `STATUS=` (a failed reload, a change that needs a restart).
    var statusNote: String?
    /// Called after every committed batch with (files taken in this pump, files still queued);
    /// returning false ends the pump early (the rest stays in the inbox for later).
    var afterBatch: ((Int, Int) -> Bool)?
    /// Test-only (`INBOXD_TEST_WEDGE_AFTER=N`): after N files the loop blocks forever, unpinged.
    var wedgeAfter: Int?
    private var filesTaken = 0
    /// Notices the store's log being deleted or replaced under the running daemon.
    private let storeLog: StoreLogIdentity

    /// Files per group commit: large enough to amortise one fsync, small enough to keep latency.
    static let batchLimit = 256

    init(configuration: DaemonConfiguration, store: ArticleStore, board: StatusBoard,
         notifier: ServiceNotifier, logger: Logger) throws(DispositionError) {
        telemetry = board.telemetry
        board.searchFeeder.loadExisting(from: store, logger: logger)
        self.configuration = configuration
        self.store = store
        self.board = board
        self.notifier = notifier
        self.logger = logger
        dispositions = try Dispositions(inbox: configuration.inbox, stateDirectory: configuration.stateDirectory)
        reader = InboxFileReader(inbox: configuration.inbox, limits: configuration.limits)
        storeLog = StoreLogIdentity(path: store.logPath)
        let rejected = dispositions.countRejected()
        board.update { $0.rejected = rejected }
    }

    /// Applies a reloaded configuration's live settings (size limit, log level).
    func apply(_ configuration: DaemonConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        reader = InboxFileReader(inbox: configuration.inbox, limits: configuration.limits)
    }

    /// Files queued and not yet taken.
    var pendingCount: Int { queue.count }

    /// The descriptor to poll, if the inbox is watched.
    var watchDescriptor: Int32? { watcher?.fd }

    /// Watch first, then scan: a file dropped between the two is seen by both and queued once,
    /// and no file can slip between them unseen.
    func startWatching() throws(WatcherError) {
        try Dispositions.makeDirectoryForWatch(configuration.inbox)
        watcher = try InotifyWatcher(path: configuration.inbox)
        try rescan()
    }

    /// Queues every file in the inbox (start-up, overflow, recreated inbox).
    func rescan() throws(WatcherError) {
        for event in try InboxScanner.scan(configuration.inbox) { handle(event) }
    }

    /// Reads whatever the kernel has queued and processes everything pending.
    ///
    /// Three batches are in hand at once, so neither core waits for the other or for the disk:
    /// batch N+1 is read and parsed on the parsing pool while this thread stages batch N's
    /// records, and batch N-1's commit (its log fdatasync) runs on the commit lane meanwhile.
    /// N-1's files move once its commit returns, while N commits.
    func pump() {
        // What the burst committed goes to the search index once the inbox is drained (or the
        // pump stops early); see `SearchFeeder`.
        defer { board.searchFeeder.release() }
        if let watcher {
            for event in watcher.drain() { handle(event) }
        }
        if retryAt != nil {
            // Nothing can succeed before the scheduled retry: new names wait with the kept ones
            // instead of failing one by one (each failure would double the backoff).
            retryNames.append(contentsOf: queue.take(Int.max))
            _ = finishFolderSync()
            return
        }
        var taken = 0
        var inFlight: PreparedBatch?
        var committing: CommittingBatch?
        var stopRequested = false
        while true {
            var staged: StagedBatch?
            // (The test wedge counts files as they move: it takes one batch at a time.)
            let mayStage = committing == nil || wedgeAfter == nil
            if mayStage, !stopRequested, retryAt == nil, !queue.isEmpty || inFlight != nil {
                board.update { $0.pending = queue.count + (inFlight?.names.count ?? 0) }
                // A name still in the inbox from a batch in hand may have been queued again by a
                // late event: it must not be read before that batch has moved it.
                let unmoved = Set(committing?.names ?? [])
                let current = inFlight ?? startPreparing(takeBatch(excluding: unmoved))
                inFlight = nil
                if !queue.isEmpty, wedgeAfter == nil {
                    inFlight = startPreparing(takeBatch(excluding: unmoved.union(current.names)))
                }
                current.done.wait()
                staged = stage(current.names, current.takeResults())
            }
            if let previous = committing {
                committing = nil
                if previous.wait() {
                    if let staged { committing = startCommit(staged) }
                    finish(previous.batch)
                } else {
                    // The failed commit's roll-back dropped what was staged, maybe only part of
                    // this batch: none of it may be committed later unasked.
                    store.discardStaged()
                    failed(previous, alsoKeeping: staged)
                }
                taken += previous.names.count
                filesTaken += previous.names.count
                if let wedgeAfter, filesTaken >= wedgeAfter { wedgeForever() }
                // Keep the kernel queue short during a long burst so it does not overflow.
                if let watcher { for event in watcher.drain() { handle(event) } }
                let remaining = queue.count + (inFlight?.names.count ?? 0) + (committing?.names.count ?? 0)
                if let afterBatch, !afterBatch(taken, remaining) { stopRequested = true }
            } else if let staged {
                committing = startCommit(staged)
            }
            guard committing != nil || (!stopRequested && retryAt == nil && (!queue.isEmpty || inFlight != nil)) else { break }
        }
        if let pending = inFlight {
            // Not committing it (a failed commit waits for its retry; a stop was asked): the
            // prepared batch is dropped and its files stay queued, untouched.
            pending.done.wait()
            if retryAt != nil { retryNames.append(contentsOf: pending.names) } else { pending.names.forEach { queue.append($0) } }
        }
        if !finishFolderSync(), retryAt == nil { scheduleRetry([]) }
        board.update { $0.pending = 0 }
        publishStatus()
    }

    private func takeBatch(excluding busy: Set<String>) -> [String] {
        let limit = wedgeAfter.map { min(Self.batchLimit, max(1, $0 - filesTaken)) } ?? Self.batchLimit
        let names = queue.take(limit)
        guard !busy.isEmpty else { return names }
        var batch: [String] = []
        for name in names {
            if busy.contains(name) { queue.append(name) } else { batch.append(name) }
        }
        return batch
    }

    /// The test switch behind `INBOXD_TEST_WEDGE_AFTER`: stop pinging, never return.
    private func wedgeForever() -> Never {
        logger.warning("test wedge engaged: the ingest loop blocks forever (INBOXD_TEST_WEDGE_AFTER)", metadata: ["files": "\(filesTaken)"])
        while true { sleep(3600) }
    }

    private func handle(_ event: InboxEvent) {
        switch event {
        case .file(let name), .special(let name):
            queue.append(name)
        case .directory(let name):
            if loggedFolders.insert(name).inserted {
                logger.notice("folder in the inbox left in place (sub-folders are not descended)", metadata: ["file": "\(name)"])
            }
        case .overflow:
            board.update { $0.overflows += 1; $0.rescans += 1 }
            logger.warning("inotify queue overflowed; rescanning the inbox")
            do { try rescan() } catch { degrade("rescan after overflow failed: \(error)") }
        case .inboxGone:
            recoverInbox()
        }
    }

    /// The inbox was deleted or moved away: recreate it, watch again, take what is there.
    private func recoverInbox() {
        logger.warning("inbox folder disappeared; recreating and watching it again", metadata: ["inbox": "\(configuration.inbox)"])
        watcher = nil
        do {
            try startWatching()
            board.update { $0.rescans += 1 }
            clearDegraded()
        } catch {
            degrade("inbox \(configuration.inbox) is gone and cannot be recreated: \(error)")
        }
    }

    // MARK: - One batch

    private enum Prepared: Sendable {
        case vanished
        case deferred(String)
        case rejected(RejectReason)
        case article(ProcessedArticle, FileIdentity)
        /// Bytes already on record (an exact duplicate, or the original taken again after a
        /// crash): not parsed, since the same bytes always parse to the same article.
        case known([UInt8], rawHash: String, FileIdentity)
    }

    private enum Plan {
        case archive(name: String, placement: Placement, id: String, title: String?, hash: String)
        case duplicate(name: String, placement: Placement, id: String, kind: String, hash: String)
        case reject(name: String, target: String, reason: RejectReason)

        var name: String {
            switch self {
            case .archive(let name, _, _, _, _), .duplicate(let name, _, _, _, _), .reject(let name, _, _): name
            }
        }

        var destination: (folder: Dispositions.Folder, placement: Placement) {
            switch self {
            case .archive(_, let placement, _, _, _): (.archive, placement)
            case .duplicate(_, let placement, _, _, _): (.duplicates, placement)
            case .reject(_, let target, _): (.rejected, .reserved(target))
            }
        }
    }

    /// A batch whose records are staged in the store, committed on the commit lane, then moved.
    private struct StagedBatch {
        let names: [String]
        let plans: [Plan]
        /// Files deferred while reading (no descriptors or memory left): they stay in the inbox.
        let kept: [String]
        let records: [ArticleRecord]
        let now: String
        let started: ContinuousClock.Instant
    }

    private final class CommittingBatch: @unchecked Sendable {
        // @unchecked: `failure` is written by the commit lane before `done` is signalled and read
        // only after waiting on `done`; `batch` is not touched by the lane.
        let batch: StagedBatch
        let done = DispatchSemaphore(value: 0)
        var failure: StoreError?
        /// The fsync of the folders the batch's files were linked into; `linksSynced` is
        /// signalled when it is over (at once when there was none).
        var linkFailure: DispositionError?
        let linksSynced = DispatchSemaphore(value: 0)
        var names: [String] { batch.names }
        init(_ batch: StagedBatch) { self.batch = batch }

        /// Waits for the commit; true if the batch's records and links are durable.
        func wait() -> Bool {
            done.wait()
            linksSynced.wait()
            return failure == nil && linkFailure == nil
        }

        var problem: String {
            if let failure { return "\(failure)" }
            return linkFailure.map { "\($0)" } ?? ""
        }
    }

    /// Log writes and fdatasyncs, one batch at a time, in order.
    private let commitLane = BackgroundLane(name: "inboxd-commit", nice: 0)

    /// Plans every prepared file and stages its record; nil if nothing may be staged now.
    private func stage(_ names: [String], _ prepared: consuming [Prepared]) -> StagedBatch? {
        if let problem = storeLog.problem() {
            // Appends would land in a deleted file and be gone at the next start: stage nothing.
            degradeUntilRetry("store commit failed, files kept in the inbox: \(problem)")
            scheduleRetry(names)
            return nil
        }
        let started = ContinuousClock.now
        var plans: [Plan] = []
        var kept: [String] = []
        var records: [ArticleRecord] = []
        var deferredWhy: String?
        let now = Timestamp.now()
        let limits = configuration.limits
        func place(_ name: String, _ planning: () throws(DispositionError) -> Plan?) {
            do throws(DispositionError) {
                if let plan = try planning() {
                    plans.append(plan)
                } else {
                    logger.debug("file vanished before it could be linked", metadata: ["file": "\(name)"])
                }
            } catch {
                kept.append(name)
                deferredWhy = "cannot move files out of the inbox, kept there for a retry: \(error)"
            }
        }
        func take(_ name: String, _ item: Prepared) {
            switch item {
            case .vanished:
                logger.debug("file vanished before it could be read", metadata: ["file": "\(name)"])
            case .deferred(let why):
                kept.append(name)
                deferredWhy = why
            case .rejected(let reason):
                plans.append(.reject(name: name, target: dispositions.reserveName(name, in: .rejected), reason: reason))
            case .article(let processed, let identity):
                place(name) { () throws(DispositionError) in
                    try plan(name: name, processed: processed, identity: identity, now: now, records: &records)
                }
            case .known(let bytes, let rawHash, let identity):
                guard let existing = store.article(forRawHash: rawHash) else {
                    // The record it matched was rolled back by a failed commit since: parse it after all.
                    take(name, Self.parse(bytes, rawHash: rawHash, identity: identity, limits: limits))
                    return
                }
                telemetry.parseSkipped()
                place(name) { () throws(DispositionError) in
                    try planExisting(existing, name: name, rawHash: rawHash, identity: identity, now: now)
                }
            }
        }
        for index in prepared.indices {
            // Moved out of the array, not copied (see `ResultSlots`).
            var item = Prepared.vanished
            swap(&item, &prepared[index])
            take(names[index], item)
        }
        if let deferredWhy { degradeUntilRetry(deferredWhy) }
        for (folder, code) in dispositions.takeNewRefusals() {
            logger.notice("hard links refused, files are renamed instead (slower while others drop files into the inbox)",
                          metadata: ["folder": "\(dispositions.path(folder))", "reason": "\(String(cString: strerror(code)))"])
        }
        return StagedBatch(names: names, plans: plans, kept: kept, records: records, now: now, started: started)
    }

    private func startCommit(_ batch: StagedBatch) -> CommittingBatch {
        let committing = CommittingBatch(batch)
        let store = store
        let linkedFolders = dispositions.takeLinkedPaths()
        commitLane.async {
            do throws(StoreError) { try store.commit() } catch { committing.failure = error }
            committing.done.signal()
        }
        // The links must be durable before their inbox names are removed, on any file system.
        // Synced at the same time as the log, not after it: both wait for the same journal
        // commit and its one cache flush, where one after the other would flush twice.
        if linkedFolders.isEmpty {
            committing.linksSynced.signal()
        } else {
            linkSyncLane.async {
                committing.linkFailure = Dispositions.sync(linkedFolders)?.error
                committing.linksSynced.signal()
            }
        }
        return committing
    }

    /// Nothing leaves the inbox unless its record is durable: the files stay where they are and
    /// are tried again later (full disk, read-only state folder...).
    private func failed(_ committing: CommittingBatch, alsoKeeping staged: StagedBatch?) {
        for batch in [committing.batch] + (staged.map { [$0] } ?? []) {
            for plan in batch.plans {
                let (folder, placement) = plan.destination
                dispositions.withdraw(placement, in: folder)
            }
        }
        degradeUntilRetry("store commit failed, files kept in the inbox: \(committing.problem)")
        scheduleRetry(committing.names + (staged?.names ?? []))
    }

    /// After a commit: moves each file to its disposition.
    private func finish(_ batch: StagedBatch) {
        board.searchFeeder.add(batch.records)
        let previousSynced = finishFolderSync()
        var kept = batch.kept
        for plan in batch.plans where !execute(plan, now: batch.now, started: batch.started) { kept.append(plan.name) }
        startFolderSync()
        // A file that could not be read or moved stays in the inbox and is tried again: a committed
        // record is finished by the crash-recovery path in `plan`, a rejection is decided afresh.
        if kept.isEmpty && previousSynced { retryBackoff = nil } else { scheduleRetry(kept) }
    }

    // MARK: - Folder fsyncs, overlapped with the next batch

    /// The fsyncs that make a batch's renames durable run on a thread of their own while the next
    /// batch is staged and its log flushed (one journal commit can serve both), instead of
    /// blocking the ingest thread between batches. Their outcome is collected before the next
    /// batch's files move, and when the pump ends.
    private final class FolderSync: @unchecked Sendable {
        // @unchecked: `failure` is written by the sync thread before `done` is signalled and read
        // only after waiting on `done`.
        let done = DispatchSemaphore(value: 0)
        var failure: (error: DispositionError, unsynced: [String])?
    }

    private let folderSyncLane = BackgroundLane(name: "inboxd-fsync", nice: 0)
    /// The fsyncs of the folders a batch was linked into, alongside its commit (see `startCommit`).
    private let linkSyncLane = BackgroundLane(name: "inboxd-linksync", nice: 0)
    private var folderSync: FolderSync?

    private func startFolderSync() {
        let paths = dispositions.takeTouchedPaths()
        guard !paths.isEmpty else { return }
        let sync = FolderSync()
        folderSyncLane.async {
            sync.failure = Dispositions.sync(paths)
            sync.done.signal()
        }
        folderSync = sync
    }

    /// Waits for the last batch's folder fsyncs. False if one failed: degraded, and the folders
    /// are marked again so the retry syncs them.
    private func finishFolderSync() -> Bool {
        guard let sync = folderSync else { return true }
        folderSync = nil
        sync.done.wait()
        guard let failure = sync.failure else { return true }
        dispositions.markUnsynced(failure.unsynced)
        degradeUntilRetry("\(failure.error)")
        return false
    }

    /// A batch being read and parsed off the ingest thread.
    private final class PreparedBatch: @unchecked Sendable {
        // @unchecked: `results` is written once by the worker before `done` is signalled and read
        // only after waiting on `done`; the semaphore orders the two.
        let names: [String]
        let done = DispatchSemaphore(value: 0)
        var results: [Prepared] = []
        init(names: [String]) { self.names = names }

        /// The results, left to the caller alone: the array is then uniquely referenced, so its
        /// values can be moved out of it.
        func takeResults() -> [Prepared] {
            let taken = results
            results = []
            return taken
        }
    }

    private func startPreparing(_ names: [String]) -> PreparedBatch {
        let batch = PreparedBatch(names: names)
        let reader = reader
        let limits = configuration.limits
        let store = store
        let results = ResultSlots<Prepared>(count: names.count)
        parsingPool.run(count: names.count, { index in
            results.set(index, Self.prepare(names[index], reader: reader, store: store, limits: limits))
        }, completion: {
            batch.results = results.takeValues()
            batch.done.signal()
        })
        return batch
    }

    /// Reading and parsing are independent per file: the pool's threads share them, results keep order.
    private static func prepare(_ name: String, reader: InboxFileReader, store: ArticleStore, limits: IngestLimits) -> Prepared {
        switch reader.read(name) {
        case .vanished: return .vanished
        case .deferred(let why): return .deferred(why)
        case .rejected(let reason): return .rejected(reason)
        case .bytes(let bytes, let identity):
            // Within the size limit: the reader refuses anything larger before hashing starts.
            // A file dropped again costs one hash, not a parse (a tenth of the files in a burst
            // of the benchmark corpus).
            let rawHash = ArticlePipeline.rawHash(of: bytes)
            if store.knowsRawHash(rawHash) { return .known(bytes, rawHash: rawHash, identity) }
            return parse(bytes, rawHash: rawHash, identity: identity, limits: limits)
        }
    }

    private static func parse(_ bytes: [UInt8], rawHash: String, identity: FileIdentity, limits: IngestLimits) -> Prepared {
        do throws(Rejection) {
            return .article(try ArticlePipeline.process(bytes, rawHash: rawHash, limits: limits), identity)
        } catch {
            return .rejected(RejectReason(error))
        }
    }

    /// Links the file into its folder and stages what it adds to the store; nil if it vanished.
    private func plan(name: String, processed: ProcessedArticle, identity: FileIdentity, now: String,
                      records: inout [ArticleRecord]) throws(DispositionError) -> Plan? {
        let hash = processed.contentHash.hex
        if let existing = store.article(forContentHash: hash) {
            return try planExisting(existing, name: name, rawHash: processed.rawHash, identity: identity, now: now)
        }
        guard let placement = try dispositions.place(name, in: .archive, identity: identity) else { return nil }
        let record = store.stageArticle(ArticleDraft(processed: processed, sourceFile: name, archivedAs: placement.name, ingestedAt: now))
        records.append(record)
        return .archive(name: name, placement: placement, id: record.id, title: record.title, hash: hash)
    }

    /// A file whose content is already on record: its original taken again, or a duplicate.
    private func planExisting(_ existing: ArticleSummary, name: String, rawHash: String, identity: FileIdentity,
                              now: String) throws(DispositionError) -> Plan? {
        let hash = existing.contentHash
        if existing.isOriginal(file: name, rawHash: rawHash),
           let record = try? store.record(id: existing.id) {
            let archivedAs = record.archivedAs
            let archived = dispositions.identity(of: archivedAs, in: .archive)
            if archived == nil || archived == identity {
                // Taken before a crash: the record is durable but the file never reached
                // the archive, or reached it and kept its inbox name too. Finish the move
                // only. (If another file holds the archived name, the same content was
                // simply dropped again: that is an exact duplicate, handled below.)
                guard let placement = try dispositions.place(name, as: archivedAs, in: .archive, identity: identity) else { return nil }
                return .archive(name: name, placement: placement, id: existing.id, title: record.title, hash: hash)
            }
        }
        guard let placement = try dispositions.place(name, in: .duplicates, identity: identity) else { return nil }
        let exact = store.article(forRawHash: rawHash) != nil
        let kind: DuplicateSighting.Kind = exact ? .exact : .normalized
        if !store.hasSighting(articleID: existing.id, file: name, rawHash: rawHash) {
            _ = store.stageSighting(articleID: existing.id, DuplicateSighting(
                file: name, at: now, kind: kind, rawHash: rawHash, storedAs: placement.name))
        }
        return .duplicate(name: name, placement: placement, id: existing.id, kind: kind.rawValue, hash: hash)
    }

    /// Moves one file; false when it could not be (it stays in the inbox for the retry).
    private func execute(_ plan: Plan, now: String, started: ContinuousClock.Instant) -> Bool {
        let elapsed = ContinuousClock.now - started
        let latency = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        do {
            switch plan {
            case let .archive(name, placement, id, title, hash):
                guard let final = completed(try dispositions.complete(name, placement, in: .archive), name, id) else { return true }
                logger.info("ingested", metadata: ["file": "\(name)", "article_id": "\(id)", "content_hash": "\(hash)", "archived_as": "\(final)"])
                telemetry.ingested(file: name, id: id, title: title, at: now, latency: latency)
            case let .duplicate(name, placement, id, kind, hash):
                guard let final = completed(try dispositions.complete(name, placement, in: .duplicates), name, id) else { return true }
                logger.info("duplicate", metadata: ["file": "\(name)", "article_id": "\(id)", "content_hash": "\(hash)", "kind": "\(kind)", "stored_as": "\(final)"])
                telemetry.duplicate(file: name, id: id, kind: kind, at: now, latency: latency)
            case let .reject(name, target, reason):
                try dispositions.writeReason(reason, file: name, target: target, at: now)
                let moved: String?
                do { moved = try dispositions.move(name, to: .rejected, as: target) } catch {
                    dispositions.removeReason(target)
                    throw error
                }
                guard let final = moved else {
                    dispositions.removeReason(target)  // vanished: no reason without its file
                    return true
                }
                board.update { $0.rejected += 1 }
                logger.notice("rejected", metadata: ["file": "\(name)", "reason": "\(reason.code)", "stored_as": "\(final)", "message": "\(reason.message)"])
                telemetry.rejected(file: name, code: reason.code, message: reason.message, at: now, latency: latency)
            }
            return true
        } catch {
            let (folder, placement) = plan.destination
            if case .reserved(let target) = placement { dispositions.release(target, in: folder) }
            degradeUntilRetry("cannot move files out of the inbox, kept there for a retry: \(error)")
            return false
        }
    }

    /// The name a completed move gave the file; nil (after saying why) when there is nothing more to log.
    private func completed(_ completion: Dispositions.Completion, _ name: String, _ id: String) -> String? {
        switch completion {
        case .placed(let final):
            return final
        case .vanished:
            return nil
        case .replaced(let kept):
            logger.warning("another file was renamed over this one while it was being taken; the newcomer is taken on its own",
                           metadata: ["file": "\(name)", "article_id": "\(id)", "kept_as": "\(kept ?? "(overwritten before it was linked)")"])
            return nil
        }
    }

    // MARK: - Retry after a failed commit

    /// Seconds until the next retry doubles from 1 up to 60 while commits keep failing.
    private var retryBackoff: Double?
    private var retryAt: ContinuousClock.Instant?
    private var retryNames: [String] = []

    private func scheduleRetry(_ names: [String]) {
        let delay = min(60, (retryBackoff ?? 0.5) * 2)
        retryBackoff = delay
        retryAt = .now + .milliseconds(Int(delay * 1000))
        retryNames.append(contentsOf: names)
        // Drain what is queued into the retry too: nothing can commit until the store can.
        retryNames.append(contentsOf: queue.take(Int.max))
        logger.warning("retrying in \(delay) s", metadata: ["files": "\(retryNames.count)"])
    }

    /// Milliseconds until a scheduled retry (for poll), or nil when none is scheduled.
    var retryTimeoutMilliseconds: Int32? {
        guard let retryAt else { return nil }
        let left = retryAt - .now
        return max(0, Int32(left.components.seconds * 1000 + left.components.attoseconds / 1_000_000_000_000_000))
    }

    /// Runs a due retry: the kept files go back in the queue, in their order.
    func retryIfDue() {
        guard let retryAt, ContinuousClock.now >= retryAt else { return }
        self.retryAt = nil
        let names = retryNames
        retryNames.removeAll()
        for name in names { queue.append(name) }
        pump()
        if self.retryAt == nil {
            do { try dispositions.syncFolders() } catch {
                degradeUntilRetry("\(error)")
                scheduleRetry([])
                return
            }
        }
        if self.retryAt == nil, let reason = retryableReason, board.read().degradedReason == reason {
            retryableReason = nil
            board.update {
                $0.degradedReason = nil
                if $0.state == .degraded { $0.state = .ready }
            }
            logger.notice("the retry succeeded; ingestion resumed", metadata: ["was": "\(reason)"])
            publishStatus()
        }
    }

    // MARK: - Status

    /// The degraded reason the retry clears once it succeeds (a full disk, a read-only or deleted
    /// store, no descriptors left); other reasons stay until what caused them is fixed.
    private var retryableReason: String?

    private func degradeUntilRetry(_ reason: String) {
        retryableReason = reason
        degrade(reason)
    }

    func degrade(_ reason: String) {
        logger.error("\(reason)")
        board.update {
            $0.lastError = reason
            $0.degradedReason = reason
            if $0.state == .ready { $0.state = .degraded }
        }
        publishStatus()
    }

    private func clearDegraded() {
        board.update {
            $0.degradedReason = nil
            if $0.state == .degraded { $0.state = .ready }
        }
    }

    func statusLine() -> String {
        let counters = board.read()
        let counts = store.counts
        var line = "Watching \(configuration.inbox): \(counts.articles) articles, \(counts.sightings) duplicates, \(counters.rejected) rejected"
        if let reason = counters.degradedReason { line = "Degraded: \(reason); " + line }
        if let statusNote { line = statusNote + "; " + line }
        return line
    }

    func publishStatus() {
        let line = statusLine()
        guard line != lastStatusLine else { return }
        lastStatusLine = line
        notifier.status(line)
    }
}

/// Write-once result slots filled by the parsing pool; each index is written by one worker.
final class ResultSlots<Value: Sendable>: @unchecked Sendable {
    // @unchecked: every index is written exactly once by one worker and read only after
    // the pool's completion (an acquire-release counter, then a semaphore) orders all writes before the reads. Raw memory, because
    // an Array property would trip Swift's exclusivity checks on concurrent element writes.
    private let slots: UnsafeMutablePointer<Value?>
    private let count: Int

    init(count: Int) {
        self.count = count
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: nil, count: max(count, 1))
    }

    deinit {
        slots.deinitialize(count: max(count, 1))
        slots.deallocate()
    }

    // Values are moved in and out, never copied: a copy retains every string of a parsed
    // article, and its release later runs on another core (profiled).
    func set(_ index: Int, _ value: consuming Value) { slots[index] = .some(value) }

    /// Moves every value out; the slots are left empty.
    func takeValues() -> [Value] {
        (0..<count).map { index in
            let value = (slots + index).move()
            (slots + index).initialize(to: nil)
            return value!
        }
    }
}
