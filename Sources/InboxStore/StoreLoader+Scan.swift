import Glibc

/// The log scan of the start-up: indexes the part of the log the index does not cover, skips corrupt lines in the
/// middle, cuts a torn tail off.
extension StoreLoader {
    private static let recordStart: [UInt8] = Array(#"{"type":""#.utf8)

    private struct BadSpan {
        var offset: UInt64
        var length: Int
        var crc: UInt32
        var reason: String
    }

    /// Indexes the log from `start` to its end; cuts off a torn tail. Returns the end of the last good line.
    mutating func scanLog(from start: UInt64, into sink: inout IndexSink) throws(StoreError) -> UInt64 {
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
}
