import Glibc

/// Loads a store at start-up, before it is shared: reads the index, checks it against the log, indexes the log
/// tail it does not cover (appending to the index), and repairs what it finds. One pass; it never loops and never gives up on damaged
/// contents (only on I/O errors).
struct StoreLoader {
    let logPath: String
    let logFD: Int32
    let indexPath: String
    let indexFD: Int32

    var state = StoreState()
    var repairs: [StoreRepair] = []
    private(set) var indexEntriesLoaded = 0
    var rebuiltIndexEntries = 0

    var logSize: UInt64 = 0
    private var lineReports = 0
    /// Bytes without a newline after which the scan gives up on finding the line's end and skips them (so that a
    /// huge run of NULs or garbage cannot exhaust memory). Far above any real record: the daemon caps file sizes.
    let maxLineLength: Int

    /// Bytes at the end of the indexed log whose lines are checked against their CRC at start-up.
    static let verifyWindow: UInt64 = 4 << 20
    static let scanChunk = 8 << 20
    static let maxReportedLines = 100

    init(
        logPath: String, logFD: Int32, indexPath: String, indexFD: Int32,
        maxLineLength: Int = 256 << 20
    ) {
        self.maxLineLength = maxLineLength
        self.logPath = logPath
        self.logFD = logFD
        self.indexPath = indexPath
        self.indexFD = indexFD
    }

    mutating func load() throws(StoreError) {
        logSize = try FileIO.size(logFD, path: logPath)
        let indexSize = try FileIO.size(indexFD, path: indexPath)
        let header = try FileIO.pread(indexFD, count: IndexHeader.size, offset: 0, path: indexPath)
        var covered: (entries: UInt64, logEnd: UInt64) = (0, 0)
        var sink: IndexSink
        let headerValid = IndexHeader.isValid(header)
        if headerValid {
            covered = try loadIndex(indexSize: indexSize)
            let keep = IndexHeader.entryOffset(covered.entries)
            if indexSize != keep { try FileIO.truncate(indexFD, size: keep, path: indexPath) }
            sink = IndexSink(fd: indexFD, path: indexPath, offset: keep, dirty: indexSize != keep)
        } else {
            if indexSize > 0 || logSize > 0 {
                repair(
                    .rebuiltIndex, file: indexPath, offset: 0, bytes: indexSize,
                    reason: indexSize == 0
                        ? "index missing or empty; rebuilding it from the log"
                        : "index header unreadable; rebuilding the index from the log")
            }
            // Rebuilt in place: the entries are checked against the log at every start, so a rebuild cut short
            // by a crash leaves a valid prefix and the next start carries on from there.
            state = StoreState(expectedRecords: Int(logSize / 4096))
            try FileIO.truncate(indexFD, size: 0, path: indexPath)
            sink = IndexSink(fd: indexFD, path: indexPath, offset: 0, dirty: true)
            try sink.append(IndexHeader.bytes())
        }
        state.durableLogEnd = try scanLog(from: covered.logEnd, into: &sink)
        try sink.finish()
        if headerValid && rebuiltIndexEntries > 0 {
            repair(
                .indexedLogTail, file: indexPath, offset: IndexHeader.entryOffset(covered.entries),
                bytes: UInt64(rebuiltIndexEntries * IndexEntry.size),
                reason: "the index ended at log offset \(covered.logEnd); \(rebuiltIndexEntries) entries added for the "
                    + "records after it (a crash between a commit's log and index writes, or an interrupted rebuild)")
        }
        state.durableIndexEntries = covered.entries + UInt64(rebuiltIndexEntries)
        state.durableArticles = state.articles.count
        state.durableSightings = state.sightings.count
        state.durableMaxSeq = state.maxSeq
        if lineReports > Self.maxReportedLines {
            repair(
                .skippedCorruptLine, file: logPath, offset: 0, bytes: 0,
                reason: "\(lineReports - Self.maxReportedLines) more skipped or ignored lines not listed")
        }
    }

    // MARK: - Index

    private struct IndexPass {
        var entries: UInt64 = 0
        var logEnd: UInt64 = 0
        var stop: String?
        var recent: [(ordinal: UInt64, entry: IndexEntry)] = []
    }

    /// Applies the index entries that agree with the log; returns how many and up to where they cover the log.
    private mutating func loadIndex(indexSize: UInt64) throws(StoreError) -> (entries: UInt64, logEnd: UInt64) {
        let body = indexSize - UInt64(IndexHeader.size)
        let available = body / UInt64(IndexEntry.size)
        let torn = body % UInt64(IndexEntry.size)
        let firstRepair = repairs.count
        let firstLineReports = lineReports
        state = StoreState(expectedRecords: Int(available))
        var pass = try applyIndex(upTo: available)
        var reason = pass.stop
        if let bad = try firstMismatch(pass.recent, coveredEnd: pass.logEnd) {
            repairs.removeSubrange(firstRepair...)
            lineReports = firstLineReports
            state = StoreState(expectedRecords: Int(bad))
            pass = try applyIndex(upTo: bad)
            reason = "the log line of index entry #\(bad) does not match the checksum recorded for it "
                + "(the log changed after it was indexed)"
        }
        if let reason {
            let from = IndexHeader.entryOffset(pass.entries)
            repair(
                .droppedIndexEntries, file: indexPath, offset: from, bytes: indexSize - from,
                reason: "\(reason); \(available - pass.entries) entries dropped, the log is scanned again from "
                    + "offset \(pass.logEnd)")
        } else if torn > 0 {
            repair(
                .droppedIndexEntries, file: indexPath, offset: IndexHeader.entryOffset(available), bytes: torn,
                reason: "incomplete last index entry (a crash while appending to the index)")
        }
        indexEntriesLoaded = Int(pass.entries)
        return (pass.entries, pass.logEnd)
    }

    private mutating func applyIndex(upTo limit: UInt64) throws(StoreError) -> IndexPass {
        var pass = IndexPass()
        let perChunk = 32_768
        var buffer = [UInt8](repeating: 0, count: perChunk * IndexEntry.size)
        reading: while pass.entries < limit {
            let wanted = Int(min(UInt64(perChunk), limit - pass.entries))
            let offset = IndexHeader.entryOffset(pass.entries)
            let got = try buffer.withUnsafeMutableBytes { raw in
                Result { () throws(StoreError) in
                    try FileIO.pread(
                        indexFD, into: UnsafeMutableRawBufferPointer(rebasing: raw[0..<wanted * IndexEntry.size]),
                        offset: offset, path: indexPath)
                }
            }.get()
            let count = got / IndexEntry.size
            for i in 0..<count {
                let entry = buffer.withUnsafeBytes { IndexEntry.read($0.baseAddress! + i * IndexEntry.size) }
                guard let entry else {
                    pass.stop = "index entry #\(pass.entries) is damaged (bad checksum)"
                    break reading
                }
                if let problem = apply(entry, ordinal: pass.entries, expectedOffset: pass.logEnd) {
                    pass.stop = problem
                    break reading
                }
                pass.logEnd = entry.end
                pass.recent.append((pass.entries, entry))
                if pass.recent.count > 2048 { pass.recent.removeFirst(1024) }
                pass.entries += 1
            }
            if count < wanted { break }
        }
        return pass
    }

    /// Adds one index entry to memory, or says why it cannot be trusted.
    private mutating func apply(_ entry: IndexEntry, ordinal: UInt64, expectedOffset: UInt64) -> String? {
        guard entry.offset == expectedOffset else {
            return "index entry #\(ordinal) does not start where the previous one ends"
        }
        guard entry.end <= logSize else {
            return "index entry #\(ordinal) points past the end of the log (the log is shorter than the index says)"
        }
        switch entry.kind {
        case .article:
            guard entry.seq > state.maxSeq else { return "index entry #\(ordinal) has seq \(entry.seq) out of order" }
            state.addArticle(
                ArticleSlot(
                    offset: entry.offset, length: entry.length, lineCRC: entry.lineCRC, seq: entry.seq,
                    contentHash: entry.hashA, rawHash: entry.hashB, fileKey: entry.fileKey,
                    idSuffix: entry.idSuffix))
        case .sighting:
            guard let kind = DuplicateSighting.Kind(indexCode: entry.sightingKind),
                let article = state.article(seq: entry.seq)
            else { return "index entry #\(ordinal) is a sighting of an article the index does not have" }
            state.addSighting(
                SightingSlot(
                    offset: entry.offset, length: entry.length, lineCRC: entry.lineCRC, rawHash: entry.hashA,
                    key: Mix.sightingKey(articleSeq: entry.seq, fileKey: entry.fileKey, rawHash: entry.hashA),
                    article: Int32(article), kind: kind))
        case .corrupt:
            lineReport(.skippedCorruptLine, offset: entry.offset, bytes: UInt64(entry.length), reason: "corrupt line")
        case .unreadable:
            state.maxSeq = max(state.maxSeq, entry.seq)
            lineReport(
                .ignoredLine, offset: entry.offset, bytes: UInt64(entry.length),
                reason: "well-formed line this build cannot use")
        }
        return nil
    }

    /// Checks the log lines behind the last few MB of index entries against their CRCs (a log replaced,
    /// truncated and regrown, or damaged at its end); returns the ordinal of the first entry that does not match.
    private func firstMismatch(
        _ recent: [(ordinal: UInt64, entry: IndexEntry)], coveredEnd: UInt64
    ) throws(StoreError) -> UInt64? {
        guard !recent.isEmpty else { return nil }
        var first = recent.count - 1
        while first > 0 && coveredEnd - recent[first].entry.offset < Self.verifyWindow { first -= 1 }
        let start = recent[first].entry.offset
        let bytes = try FileIO.pread(logFD, count: Int(coveredEnd - start), offset: start, path: logPath)
        var bad: UInt64?
        bytes.withUnsafeBytes { raw in
            for (ordinal, entry) in recent[first...] {
                let from = Int(entry.offset - start)
                let to = from + Int(entry.length)
                if to > raw.count || CRC32.checksum(UnsafeRawBufferPointer(rebasing: raw[from..<to])) != entry.lineCRC {
                    bad = ordinal
                    return
                }
            }
        }
        return bad
    }

    // MARK: - Helpers

    mutating func repair(
        _ action: StoreRepair.Action, file: String, offset: UInt64, bytes: UInt64, reason: String
    ) {
        repairs.append(StoreRepair(action: action, file: file, offset: offset, bytes: bytes, reason: reason))
    }

    mutating func lineReport(_ action: StoreRepair.Action, offset: UInt64, bytes: UInt64, reason: String) {
        lineReports += 1
        if lineReports <= Self.maxReportedLines {
            repair(action, file: logPath, offset: offset, bytes: bytes, reason: reason + " (left in place)")
        }
    }

    static func indexOfNewline(in buffer: [UInt8], from start: Int) -> Int? {
        guard start < buffer.count else { return nil }
        return buffer.withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress, let hit = memchr(base + start, 0x0A, raw.count - start) else {
                return nil
            }
            return base.distance(to: UnsafeRawPointer(hit))
        }
    }

    static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        var i = start
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0] && needle.indices.allSatisfy({ bytes[i + $0] == needle[$0] }) { return i }
            i += 1
        }
        return nil
    }
}
