import Glibc

/// Loads a store at start-up, before it is shared: reads the index, checks it against the log, indexes the log
/// tail it does not cover (appending to the index), and repairs what it finds. One pass; it never loops and never gives up on damaged
/// contents (only on I/O errors).
struct StoreLoader {
    let logPath: String
    let logFD: Int32
    let indexPath: String
    let indexFD: Int32

    private(set) var state = StoreState()
    private(set) var repairs: [StoreRepair] = []
    private(set) var indexEntriesLoaded = 0
    private(set) var rebuiltIndexEntries = 0

    private var logSize: UInt64 = 0
    private var lineReports = 0
    /// Bytes without a newline after which the scan gives up on finding the line's end and skips them (so that a
    /// huge run of NULs or garbage cannot exhaust memory). Far above any real record: the daemon caps file sizes.
    private let maxLineLength: Int

    /// Bytes at the end of the indexed log whose lines are checked against their CRC at start-up.
    static let verifyWindow: UInt64 = 4 << 20
    static let scanChunk = 8 << 20
    static let maxReportedLines = 100
    private static let recordStart: [UInt8] = Array(#"{"type":""#.utf8)

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
        if IndexHeader.isValid(header) {
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

    // MARK: - Log scan

    private struct BadSpan {
        var offset: UInt64
        var length: Int
        var crc: UInt32
        var reason: String
    }

    /// Indexes the log from `start` to its end; cuts off a torn tail. Returns the end of the last good line.
    private mutating func scanLog(from start: UInt64, into sink: inout IndexSink) throws(StoreError) -> UInt64 {
        var goodEnd = start
        var bad: [BadSpan] = []
        var buffer: [UInt8] = []
        var bufferOffset = start  // file offset of buffer[0]
        var readOffset = start
        while readOffset < logSize {
            let wanted = Int(min(UInt64(Self.scanChunk), logSize - readOffset))
            let kept = buffer.count
            buffer.append(contentsOf: repeatElement(0, count: wanted))
            let got = try buffer.withUnsafeMutableBytes { raw in
                Result { () throws(StoreError) in
                    try FileIO.pread(
                        logFD, into: UnsafeMutableRawBufferPointer(rebasing: raw[kept...]), offset: readOffset,
                        path: logPath)
                }
            }.get()
            buffer.removeLast(wanted - got)
            readOffset += UInt64(got)
            var cursor = 0
            while let newline = Self.indexOfNewline(in: buffer, from: cursor) {
                let line = cursor..<newline + 1
                let offset = bufferOffset + UInt64(cursor)
                try handleLine(buffer, line, offset: offset, bad: &bad, sink: &sink, goodEnd: &goodEnd)
                cursor = newline + 1
            }
            buffer.removeFirst(cursor)
            bufferOffset += UInt64(cursor)
            if buffer.count > maxLineLength {
                bad.append(
                    BadSpan(
                        offset: bufferOffset, length: buffer.count, crc: CRC32.checksum(buffer),
                        reason: "more than \(maxLineLength >> 20) MiB without a newline"))
                bufferOffset += UInt64(buffer.count)
                buffer.removeAll()
            }
            if got < wanted { break }  // the file shrank under us: treat what is left as the tail
        }
        if goodEnd < logSize {
            let dropped = logSize - goodEnd
            try FileIO.truncate(logFD, size: goodEnd, path: logPath)
            try FileIO.syncData(logFD, path: logPath)
            repair(
                .truncatedTail, file: logPath, offset: goodEnd, bytes: dropped,
                reason: Self.tailReason(bad: bad, unterminated: buffer))
            logSize = goodEnd
        }
        return goodEnd
    }

    private mutating func handleLine(
        _ buffer: [UInt8], _ line: Range<Int>, offset: UInt64, bad: inout [BadSpan], sink: inout IndexSink,
        goodEnd: inout UInt64
    ) throws(StoreError) {
        let (decoded, goodStart, reason) = buffer.withUnsafeBytes { raw in
            Self.classify(UnsafeRawBufferPointer(rebasing: raw[line]))
        }
        if goodStart > 0 {
            let span = line.lowerBound..<line.lowerBound + goodStart
            bad.append(
                BadSpan(
                    offset: offset, length: goodStart, crc: CRC32.checksum(buffer, range: span),
                    reason: reason ?? "not valid JSON"))
        }
        guard let decoded else {
            bad.append(
                BadSpan(
                    offset: offset, length: line.count, crc: CRC32.checksum(buffer, range: line),
                    reason: reason ?? "not valid JSON"))
            return
        }
        // A good line: whatever bad lines came before it are in the middle of the log. Skip them, keep them.
        for span in bad {
            try sink.add(
                IndexEntry(offset: span.offset, length: UInt32(span.length), lineCRC: span.crc, kind: .corrupt))
            rebuiltIndexEntries += 1
            lineReport(.skippedCorruptLine, offset: span.offset, bytes: UInt64(span.length), reason: span.reason)
        }
        bad.removeAll()
        let goodRange = line.lowerBound + goodStart..<line.upperBound
        let entry = add(
            decoded, offset: offset + UInt64(goodStart), length: UInt32(goodRange.count),
            crc: CRC32.checksum(buffer, range: goodRange))
        try sink.add(entry)
        rebuiltIndexEntries += 1
        goodEnd = entry.end
    }

    /// Decodes a line; if it does not parse, looks for a record start (`{"type":"`) later in it, which our writer
    /// only ever puts at the start of a line (a quote inside a string is always escaped). Returns the decoded line,
    /// where it starts within the bytes, and why the bytes before it (or the whole line) are bad.
    private static func classify(_ bytes: UnsafeRawBufferPointer) -> (ScannedLine?, Int, String?) {
        do {
            return (try ScannedLine.scan(bytes), 0, nil)
        } catch {
            let reason = badReason(bytes, error: error)
            var position = 1
            while let found = find(recordStart, in: bytes, from: position) {
                if let line = try? ScannedLine.scan(UnsafeRawBufferPointer(rebasing: bytes[found...])) {
                    return (line, found, reason)
                }
                position = found + 1
            }
            return (nil, 0, reason)
        }
    }

    private static func badReason(_ bytes: UnsafeRawBufferPointer, error: any Error) -> String {
        let content = bytes.last == 0x0A ? UnsafeRawBufferPointer(rebasing: bytes.dropLast()) : bytes
        if !content.isEmpty && content.allSatisfy({ $0 == 0 }) { return "\(content.count) NUL bytes" }
        if content.isEmpty { return "empty line" }
        if content.contains(0) { return "line contains NUL bytes" }
        return LogLine.describe(error)
    }

    private static func tailReason(bad: [BadSpan], unterminated: [UInt8]) -> String {
        var parts: [String] = []
        if !bad.isEmpty {
            let reasons = Set(bad.map(\.reason)).sorted().joined(separator: ", ")
            parts.append("\(bad.count) complete line(s) after the last good record did not parse (\(reasons))")
        }
        if !unterminated.isEmpty {
            if unterminated.allSatisfy({ $0 == 0 }) {
                parts.append(
                    "\(unterminated.count) NUL bytes after the last complete record (space allocated for a write "
                        + "that never reached the disk)")
            } else if unterminated.contains(0) {
                parts.append("the last line has no newline and contains NUL bytes (torn write)")
            } else {
                parts.append("the last line (\(unterminated.count) bytes) has no newline (torn write)")
            }
        }
        return parts.joined(separator: "; ") + "; the log was cut back to its last complete record"
    }

    /// Adds a decoded line to memory and returns its index entry. Lines that cannot be used are kept on disk and
    /// indexed as `.unreadable`.
    private mutating func add(_ line: ScannedLine, offset: UInt64, length: UInt32, crc: UInt32) -> IndexEntry {
        var entry = IndexEntry(offset: offset, length: length, lineCRC: crc, kind: .unreadable)
        switch line {
        case .article(let record):
            guard let content = Hash256(hex: record.contentHash), let raw = Hash256(hex: record.rawHash) else {
                return ignore(entry, seq: record.seq, reason: "article with a malformed hash")
            }
            guard record.schemaVersion == ArticleRecord.currentSchemaVersion else {
                return ignore(entry, seq: record.seq, reason: "schema_version \(record.schemaVersion) not supported")
            }
            guard let (prefix, suffix) = ArticleID.parse(record.id), prefix == content.a else {
                return ignore(entry, seq: record.seq, reason: "article id \(record.id) does not match its content hash")
            }
            guard record.seq > state.maxSeq else {
                return ignore(entry, seq: 0, reason: "article seq \(record.seq) is not after \(state.maxSeq)")
            }
            guard state.article(prefix: prefix, suffix: suffix) == nil else {
                return ignore(entry, seq: record.seq, reason: "article id \(record.id) used twice")
            }
            let fileKey = Mix.fileKey(record.sourceFile)
            state.addArticle(
                ArticleSlot(
                    offset: offset, length: length, lineCRC: crc, seq: record.seq, contentHash: content, rawHash: raw,
                    fileKey: fileKey, idSuffix: suffix))
            entry.kind = .article
            entry.idSuffix = suffix
            entry.seq = record.seq
            entry.hashA = content
            entry.hashB = raw
            entry.fileKey = fileKey
        case .sighting(let articleID, let file, let kind, let rawHash):
            guard let raw = Hash256(hex: rawHash) else {
                return ignore(entry, seq: 0, reason: "sighting with a malformed raw_hash")
            }
            guard let article = state.article(id: articleID) else {
                return ignore(entry, seq: 0, reason: "sighting of unknown article \(articleID)")
            }
            let seq = state.articles[article].seq
            let fileKey = Mix.fileKey(file)
            state.addSighting(
                SightingSlot(
                    offset: offset, length: length, lineCRC: crc, rawHash: raw,
                    key: Mix.sightingKey(articleSeq: seq, fileKey: fileKey, rawHash: raw), article: Int32(article),
                    kind: kind))
            entry.kind = .sighting
            entry.sightingKind = kind.indexCode
            entry.seq = seq
            entry.hashA = raw
            entry.fileKey = fileKey
        case .unreadable(let type, let seq, let reason):
            return ignore(entry, seq: seq ?? 0, reason: "\(type) line: \(reason)")
        }
        return entry
    }

    private mutating func ignore(_ entry: IndexEntry, seq: UInt64, reason: String) -> IndexEntry {
        var entry = entry
        entry.seq = seq
        state.maxSeq = max(state.maxSeq, seq)
        lineReport(.ignoredLine, offset: entry.offset, bytes: UInt64(entry.length), reason: reason)
        return entry
    }

    // MARK: - Helpers

    private mutating func repair(
        _ action: StoreRepair.Action, file: String, offset: UInt64, bytes: UInt64, reason: String
    ) {
        repairs.append(StoreRepair(action: action, file: file, offset: offset, bytes: bytes, reason: reason))
    }

    private mutating func lineReport(_ action: StoreRepair.Action, offset: UInt64, bytes: UInt64, reason: String) {
        lineReports += 1
        if lineReports <= Self.maxReportedLines {
            repair(action, file: logPath, offset: offset, bytes: bytes, reason: reason + " (left in place)")
        }
    }

    private static func indexOfNewline(in buffer: [UInt8], from start: Int) -> Int? {
        guard start < buffer.count else { return nil }
        return buffer.withUnsafeBytes { raw -> Int? in
            guard let base = raw.baseAddress, let hit = memchr(base + start, 0x0A, raw.count - start) else {
                return nil
            }
            return base.distance(to: UnsafeRawPointer(hit))
        }
    }

    private static func find(_ needle: [UInt8], in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard needle.count <= bytes.count else { return nil }
        var i = start
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0] && needle.indices.allSatisfy({ bytes[i + $0] == needle[$0] }) { return i }
            i += 1
        }
        return nil
    }
}

/// Appends index entries to a file in large writes; `finish()` flushes and fdatasyncs.
struct IndexSink {
    let fd: Int32
    let path: String
    private(set) var offset: UInt64
    private var dirty: Bool
    private var buffer: [UInt8] = []

    init(fd: Int32, path: String, offset: UInt64, dirty: Bool) {
        self.fd = fd
        self.path = path
        self.offset = offset
        self.dirty = dirty
    }

    mutating func add(_ entry: IndexEntry) throws(StoreError) {
        entry.append(to: &buffer)
        if buffer.count >= 4 << 20 { try flush() }
    }

    mutating func append(_ bytes: [UInt8]) throws(StoreError) {
        buffer += bytes
        try flush()
    }

    private mutating func flush() throws(StoreError) {
        guard !buffer.isEmpty else { return }
        try FileIO.pwriteAll(fd, buffer, offset: offset, path: path)
        offset += UInt64(buffer.count)
        buffer.removeAll(keepingCapacity: true)
        dirty = true
    }

    mutating func finish() throws(StoreError) {
        try flush()
        if dirty { try FileIO.syncData(fd, path: path) }
    }
}
