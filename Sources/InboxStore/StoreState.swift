import Glibc

/// In memory per article: ~112 bytes, no strings.
struct ArticleSlot: Sendable {
    var offset: UInt64
    var length: UInt32
    var lineCRC: UInt32
    var seq: UInt64
    var contentHash: Hash256
    var rawHash: Hash256
    var fileKey: UInt64
    var idSuffix: UInt32
    var sightingCount: UInt32 = 0
    /// Newest sighting (index into `StoreState.sightings`), -1 if none; each sighting links to the one before.
    var lastSighting: Int32 = -1
}

/// In memory per sighting: ~72 bytes.
struct SightingSlot: Sendable {
    var offset: UInt64
    var length: UInt32
    var lineCRC: UInt32
    var rawHash: Hash256
    var key: UInt64
    var article: Int32
    var previous: Int32 = -1
    var kind: DuplicateSighting.Kind
}

/// Where to read a line from: the file, or the staged bytes not yet written.
enum LinePiece: Sendable {
    case disk(offset: UInt64, length: UInt32, crc: UInt32)
    case memory(offset: UInt64, bytes: [UInt8])
}

/// Lines to read for one article: its own, then its sightings in log order.
struct ReadPlan: Sendable {
    var article: LinePiece
    var sightings: [LinePiece]
}

/// Everything behind the store's mutex: slots, lookup tables, and the staged bytes.
struct StoreState: Sendable {
    var articles: [ArticleSlot] = []
    var sightings: [SightingSlot] = []
    /// article index, keyed by content hash (and so by id prefix).
    var byContent: SlotTable
    /// article index × 2, or sighting index × 2 + 1, keyed by raw hash.
    var byRaw: SlotTable
    var sightingKeys: Set<UInt64> = []
    var sightingsByKind: [DuplicateSighting.Kind: Int] = [:]
    /// Highest seq seen on any line (assigned next: maxSeq + 1).
    var maxSeq: UInt64 = 0

    // Durable part: everything before these counts is on disk and fsynced.
    var durableLogEnd: UInt64 = 0
    var durableIndexEntries: UInt64 = 0
    var durableArticles = 0
    var durableSightings = 0
    var durableMaxSeq: UInt64 = 0
    // Staged part: log bytes starting at durableLogEnd, index entries starting at durableIndexEntries.
    // First what the commit in progress is writing (left alone until it is durable), then what was
    // staged since: handing the commit its own buffers means staging goes on without copying them.
    var committingLog: [UInt8] = []
    var committingIndex: [UInt8] = []
    var pendingLog: [UInt8] = []
    var pendingIndex: [UInt8] = []
    /// Emptied buffers of the last commit, staged into next: they keep their grown capacity and
    /// their memory is already mapped.
    var spareLog: [UInt8] = []
    var spareIndex: [UInt8] = []
    var pendingRecords = 0
    /// Set when a failed commit could not be rolled back.
    var unusableReason: String?

    init(expectedRecords: Int = 0) {
        let seed = UInt64.random(in: .min ... .max)
        byContent = SlotTable(minimumCapacity: expectedRecords, seed: seed)
        byRaw = SlotTable(minimumCapacity: expectedRecords, seed: seed ^ 0xA5A5_A5A5_A5A5_A5A5)
        articles.reserveCapacity(expectedRecords)
    }

    // MARK: - Adding

    mutating func addArticle(_ slot: ArticleSlot) {
        let index = UInt32(articles.count)
        articles.append(slot)
        if byContent.needsGrowth {
            let all = articles
            byContent.grow { all[Int($0)].contentHash.a }
        }
        byContent.insert(index, hash: slot.contentHash.a)
        insertRaw(index << 1, hash: slot.rawHash.a)
        maxSeq = max(maxSeq, slot.seq)
    }

    mutating func addSighting(_ slot: SightingSlot) {
        var slot = slot
        let index = Int32(sightings.count)
        slot.previous = articles[Int(slot.article)].lastSighting
        sightings.append(slot)
        articles[Int(slot.article)].lastSighting = index
        articles[Int(slot.article)].sightingCount += 1
        insertRaw(UInt32(index) << 1 | 1, hash: slot.rawHash.a)
        sightingKeys.insert(slot.key)
        sightingsByKind[slot.kind, default: 0] += 1
    }

    private mutating func insertRaw(_ value: UInt32, hash: UInt64) {
        if byRaw.needsGrowth {
            let arts = articles
            let sights = sightings
            byRaw.grow { $0 & 1 == 0 ? arts[Int($0 >> 1)].rawHash.a : sights[Int($0 >> 1)].rawHash.a }
        }
        byRaw.insert(value, hash: hash)
    }

    // MARK: - Finding

    func article(content: Hash256) -> Int? {
        byContent.first(hash: content.a) { articles[Int($0)].contentHash == content }.map { Int($0) }
    }

    /// The article stored from, or sighted with, these bytes.
    func article(raw: Hash256) -> Int? {
        let value = byRaw.first(hash: raw.a) {
            $0 & 1 == 0 ? articles[Int($0 >> 1)].rawHash == raw : sightings[Int($0 >> 1)].rawHash == raw
        }
        guard let value else { return nil }
        return value & 1 == 0 ? Int(value >> 1) : Int(sightings[Int(value >> 1)].article)
    }

    func article(id: String) -> Int? {
        guard let (prefix, suffix) = ArticleID.parse(id) else { return nil }
        return article(prefix: prefix, suffix: suffix)
    }

    func article(prefix: UInt64, suffix: UInt32) -> Int? {
        byContent.first(hash: prefix) {
            articles[Int($0)].contentHash.a == prefix && articles[Int($0)].idSuffix == suffix
        }.map { Int($0) }
    }

    /// The suffix for a new article with this id prefix: 0 (none) if the prefix is free, else one more than the
    /// highest in use (a bare id counts as 1).
    func nextSuffix(prefix: UInt64) -> UInt32 {
        var highest: UInt32 = 0
        byContent.forEachCandidate(hash: prefix) { value in
            let slot = articles[Int(value)]
            if slot.contentHash.a == prefix { highest = max(highest, slot.idSuffix == 0 ? 1 : slot.idSuffix) }
        }
        return highest == 0 ? 0 : highest + 1
    }

    /// Index of the first article whose seq is greater than `seq` (articles are in seq order).
    func firstArticle(after seq: UInt64) -> Int {
        var low = 0
        var high = articles.count
        while low < high {
            let mid = (low + high) / 2
            if articles[mid].seq <= seq { low = mid + 1 } else { high = mid }
        }
        return low
    }

    func article(seq: UInt64) -> Int? {
        let i = firstArticle(after: seq &- 1)
        return i < articles.count && articles[i].seq == seq ? i : nil
    }

    // MARK: - Reading

    func id(of index: Int) -> String {
        ArticleID.format(prefix: articles[index].contentHash.a, suffix: articles[index].idSuffix)
    }

    func summary(of index: Int) -> ArticleSummary {
        let slot = articles[index]
        return ArticleSummary(
            id: id(of: index), seq: slot.seq, contentHash: slot.contentHash.hex, rawHash: slot.rawHash.hex,
            sightings: Int(slot.sightingCount), logOffset: slot.offset, logLength: Int(slot.length),
            isDurable: slot.offset + UInt64(slot.length) <= durableLogEnd, sourceFileKey: slot.fileKey)
    }

    func piece(offset: UInt64, length: UInt32, crc: UInt32) -> LinePiece {
        if offset + UInt64(length) <= durableLogEnd { return .disk(offset: offset, length: length, crc: crc) }
        let start = Int(offset - durableLogEnd)
        if start < committingLog.count {
            return .memory(offset: offset, bytes: Array(committingLog[start..<start + Int(length)]))
        }
        let pending = start - committingLog.count
        return .memory(offset: offset, bytes: Array(pendingLog[pending..<pending + Int(length)]))
    }

    /// Where the next staged line starts in the log file.
    var stagingLogOffset: UInt64 { durableLogEnd + UInt64(committingLog.count) }

    func readPlan(of index: Int, withSightings: Bool = true) -> ReadPlan {
        let slot = articles[index]
        var plan = ReadPlan(article: piece(offset: slot.offset, length: slot.length, crc: slot.lineCRC), sightings: [])
        guard withSightings else { return plan }
        var next = slot.lastSighting
        while next >= 0 {
            let sighting = sightings[Int(next)]
            plan.sightings.append(piece(offset: sighting.offset, length: sighting.length, crc: sighting.lineCRC))
            next = sighting.previous
        }
        plan.sightings.reverse()
        return plan
    }

    // MARK: - Commit bookkeeping

    /// Hands everything staged up to now to a commit (one at a time): the buffers it returns stay
    /// readable here until `markDurable`, and staging goes on in the spare ones.
    mutating func takeForCommit() -> (log: [UInt8], index: [UInt8]) {
        precondition(committingLog.isEmpty && committingIndex.isEmpty, "one commit at a time")
        committingLog = pendingLog
        committingIndex = pendingIndex
        pendingLog = spareLog
        pendingIndex = spareIndex
        spareLog = []
        spareIndex = []
        return (committingLog, committingIndex)
    }

    /// The commit's buffers are on disk: its bytes are read from there from now on.
    mutating func markDurable(articles articleCount: Int, sightings sightingCount: Int, records: Int, maxSeq batchMaxSeq: UInt64) {
        durableLogEnd += UInt64(committingLog.count)
        durableIndexEntries += UInt64(committingIndex.count / IndexEntry.size)
        committingLog = []
        committingIndex = []
        durableArticles = articleCount
        durableSightings = sightingCount
        durableMaxSeq = batchMaxSeq
        pendingRecords -= records
    }

    /// Keeps a committed batch's buffers, emptied, for staging the one after next (the spares
    /// are always empty here: `takeForCommit` moved them to staging). Must be their only holder,
    /// or emptying them would allocate anew. A buffer grown past `spareLimit` (a batch of very
    /// large files) is let go instead of staying pinned for good.
    mutating func recycle(log: inout [UInt8], index: inout [UInt8]) {
        if log.capacity <= Self.spareLimit {
            log.removeAll(keepingCapacity: true)
            swap(&spareLog, &log)
        }
        if index.capacity <= Self.spareLimit {
            index.removeAll(keepingCapacity: true)
            swap(&spareIndex, &index)
        }
    }

    /// Bytes of capacity a spare buffer may keep (a batch of 256 articles is about 1 MB of log).
    static let spareLimit = 16 << 20

    /// Forgets everything not durable (after a failed commit) and rebuilds the lookup tables.
    mutating func dropStaged() {
        articles.removeLast(articles.count - durableArticles)
        sightings.removeLast(sightings.count - durableSightings)
        committingLog = []
        committingIndex = []
        pendingLog = []
        pendingIndex = []
        pendingRecords = 0
        maxSeq = durableMaxSeq
        let keptArticles = articles
        let keptSightings = sightings
        let seed = UInt64.random(in: .min ... .max)
        byContent = SlotTable(minimumCapacity: keptArticles.count, seed: seed)
        byRaw = SlotTable(minimumCapacity: keptArticles.count + keptSightings.count, seed: seed ^ 0xA5A5_A5A5_A5A5_A5A5)
        sightingKeys = []
        sightingsByKind = [:]
        articles = []
        sightings = []
        articles.reserveCapacity(keptArticles.count)
        for var slot in keptArticles {
            slot.sightingCount = 0
            slot.lastSighting = -1
            addArticle(slot)
        }
        for slot in keptSightings { addSighting(slot) }
        maxSeq = durableMaxSeq
    }
}
