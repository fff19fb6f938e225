/// The documents containing one term, in increasing document number, as two byte streams.
///
/// Document stream: per posting a varint of `delta << 2 | (n == 1 ? 1 : 0) | (t > 0 ? 2 : 0)`,
/// then a varint of `n` only when `n != 1` and one of `t` only when `t > 0`; `delta` is the
/// document number minus the previous posting's (the first posting's delta is its document
/// number), `n` the number of occurrences and `t` how many of them are in the title.
/// Position stream: per posting, `n` varints: the first position, then the gaps to the next
/// ones (positions are token offsets within the document, see ``AnalyzedDocument``).
///
/// Every ``skipInterval`` postings a skip entry records where a block starts in both streams,
/// so intersections jump over long lists of common words instead of decoding them, and
/// positions are decoded only for the documents a phrase needs.
///
/// Limits: 2^32 documents per index, 4 GiB per stream per term.
struct PostingList {
    static let skipInterval: UInt32 = 64

    private(set) var documents: AppendOnlyBuffer<UInt8>
    private(set) var documentBytes: UInt32 = 0
    private(set) var positions: AppendOnlyBuffer<UInt8>
    private(set) var positionBytes: UInt32 = 0
    private(set) var documentFrequency: UInt32 = 0
    private var lastDocument: UInt32 = 0
    private(set) var skips: AppendOnlyArray<SkipEntry>?

    init() {
        documents = AppendOnlyBuffer(capacity: 8)
        positions = AppendOnlyBuffer(capacity: 8)
    }

    /// Bytes allocated for this list's storage.
    var allocatedBytes: Int { documents.byteCount + positions.byteCount + (skips?.buffer.byteCount ?? 0) }

    /// Appends a posting; `document` must be greater than any before and `termPositions`
    /// increasing, `titleCount` of them in the title. Returns the change in allocated bytes.
    mutating func append(document: UInt32, titleCount: UInt32, positions termPositions: ArraySlice<UInt32>) -> Int {
        var delta = 0
        if documentFrequency > 0 && documentFrequency % Self.skipInterval == 0 {
            if skips == nil {
                skips = AppendOnlyArray(initialCapacity: 4)
                delta += skips?.buffer.byteCount ?? 0
            }
            let entry = SkipEntry(
                previousDocument: lastDocument, documentOffset: documentBytes, positionOffset: positionBytes)
            delta += skips?.append(entry) ?? 0
        }
        delta += Self.reserve(&positions, used: positionBytes, more: 5 * termPositions.count)
        var q = positions.base + Int(positionBytes)
        let qStart = q
        var previous: UInt32 = 0
        for position in termPositions {
            q = Varint.write(UInt64(position - previous), to: q)
            previous = position
        }
        positionBytes += UInt32(q - qStart)

        delta += Self.reserve(&documents, used: documentBytes, more: 15)
        var p = documents.base + Int(documentBytes)
        let start = p
        let gap = document - (documentFrequency == 0 ? 0 : lastDocument)
        let n = termPositions.count
        p = Varint.write(UInt64(gap) << 2 | (n == 1 ? 1 : 0) | (titleCount > 0 ? 2 : 0), to: p)
        if n != 1 { p = Varint.write(UInt64(n), to: p) }
        if titleCount > 0 { p = Varint.write(UInt64(titleCount), to: p) }
        documentBytes += UInt32(p - start)

        documentFrequency += 1
        lastDocument = document
        return delta
    }

    /// Makes room for `more` bytes; returns the change in allocated bytes.
    private static func reserve(_ buffer: inout AppendOnlyBuffer<UInt8>, used: UInt32, more: Int) -> Int {
        let needed = Int(used) + more
        guard needed > buffer.capacity else { return 0 }
        let old = buffer.byteCount
        buffer = buffer.grown(count: Int(used), minimumCapacity: needed)
        return buffer.byteCount - old
    }

    /// What a reader may use without the lock (see ``AppendOnlyBuffer``).
    var snapshot: PostingSnapshot {
        PostingSnapshot(
            documents: documents, documentBytes: Int(documentBytes), positions: positions,
            positionBytes: Int(positionBytes), documentFrequency: Int(documentFrequency),
            skips: skips?.buffer, skipCount: skips?.count ?? 0)
    }
}

/// Where block `k + 1` starts: the document number of the posting before it and the block's
/// byte offsets in both streams.
struct SkipEntry: BitwiseCopyable {
    var previousDocument: UInt32
    var documentOffset: UInt32
    var positionOffset: UInt32
}

/// An immutable view of a posting list's published prefix.
struct PostingSnapshot: Sendable {
    let documents: AppendOnlyBuffer<UInt8>
    let documentBytes: Int
    let positions: AppendOnlyBuffer<UInt8>
    let positionBytes: Int
    let documentFrequency: Int
    let skips: AppendOnlyBuffer<SkipEntry>?
    let skipCount: Int
}

enum Varint {
    @inline(__always)
    static func write(_ value: UInt64, to p: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        var v = value
        var p = p
        while v >= 0x80 {
            p.pointee = UInt8(truncatingIfNeeded: v) | 0x80
            p += 1
            v >>= 7
        }
        p.pointee = UInt8(v)
        return p + 1
    }

    @inline(__always)
    static func read(_ base: UnsafePointer<UInt8>, _ position: inout Int) -> UInt64 {
        let first = base[position]
        position &+= 1
        if first < 0x80 { return UInt64(first) }
        var result = UInt64(first & 0x7F)
        var shift: UInt64 = 7
        while true {
            let b = base[position]
            position &+= 1
            result |= UInt64(b & 0x7F) &<< shift
            if b < 0x80 { return result }
            shift &+= 7
        }
    }
}

/// Reads a ``PostingSnapshot`` forward. The snapshot must outlive the cursor
/// (`withExtendedLifetime`): the cursor holds raw pointers into it.
struct PostingCursor {
    private let base: UnsafePointer<UInt8>
    private let end: Int
    private let positionBase: UnsafePointer<UInt8>
    private let positionEnd: Int
    private let skips: UnsafePointer<SkipEntry>?
    private let skipCount: Int
    private var position = 0
    private var nextSkip = 0
    private var previous: UInt32 = 0
    /// Positions are found lazily: `pending` position varints lie between `positionOffset` and
    /// the current posting's positions.
    private var positionOffset = 0
    private var pending = 0
    private(set) var exhausted = false
    private var started = false
    /// The current posting (valid after a successful ``next()`` or ``advance(to:)``): document,
    /// occurrences, and title-weighted term frequency.
    private(set) var document: UInt32 = 0
    private(set) var occurrences = 0
    private(set) var tf: UInt32 = 0

    init(_ snapshot: PostingSnapshot) {
        base = UnsafePointer(snapshot.documents.base)
        end = snapshot.documentBytes
        positionBase = UnsafePointer(snapshot.positions.base)
        positionEnd = snapshot.positionBytes
        skips = snapshot.skips.map { UnsafePointer($0.base) }
        skipCount = snapshot.skipCount
    }

    /// Moves to the next posting; false at the end.
    @inline(__always)
    mutating func next() -> Bool {
        guard position < end else {
            exhausted = true
            return false
        }
        let v = Varint.read(base, &position)
        document = previous &+ UInt32(truncatingIfNeeded: v >> 2)
        pending &+= occurrences
        occurrences = v & 1 == 1 ? 1 : Int(truncatingIfNeeded: Varint.read(base, &position))
        let title = v & 2 == 0 ? 0 : UInt32(truncatingIfNeeded: Varint.read(base, &position))
        tf = UInt32(truncatingIfNeeded: occurrences) &+ (AnalyzedDocument.titleWeight - 1) &* title
        previous = document
        started = true
        return true
    }

    /// Moves to the first posting at or after `target`; true when that posting is `target`.
    /// Targets must not decrease between calls.
    @inline(__always)
    mutating func advance(to target: UInt32) -> Bool {
        if started && document >= target { return document == target }
        if exhausted { return false }
        if nextSkip < skipCount, let skips, skips[nextSkip].previousDocument < target { jump(skips, target) }
        while next() {
            if document >= target { return document == target }
        }
        return false
    }

    /// Jumps to the last block whose preceding posting is before `target`.
    private mutating func jump(_ skips: UnsafePointer<SkipEntry>, _ target: UInt32) {
        while nextSkip < skipCount {
            let entry = skips[nextSkip]
            guard entry.previousDocument < target else { break }
            // Every posting before that block is < target: jump unless already past it.
            if Int(entry.documentOffset) > position {
                position = Int(entry.documentOffset)
                previous = entry.previousDocument
                positionOffset = Int(entry.positionOffset)
                pending = 0
                occurrences = 0
            }
            nextSkip += 1
        }
    }

    /// The current posting's positions, into `out` (replacing its contents).
    mutating func positions(into out: inout [UInt32]) {
        out.removeAll(keepingCapacity: true)
        var reader = positionReader()
        while reader.next() { out.append(reader.value) }
    }

    /// A reader of the current posting's positions.
    mutating func positionReader() -> PositionReader {
        var p = positionOffset
        // Step over `pending` varints: count their last bytes (high bit clear), 8 at a time
        // while that stays within the published bytes.
        let raw = UnsafeRawPointer(positionBase)
        while pending >= 8 && p + 8 <= positionEnd {
            let ends = (~raw.loadUnaligned(fromByteOffset: p, as: UInt64.self) & 0x8080_8080_8080_8080).nonzeroBitCount
            if ends > pending { break }
            pending -= ends
            p += 8
        }
        while pending > 0 {
            if positionBase[p] < 0x80 { pending -= 1 }
            p += 1
        }
        positionOffset = p
        return PositionReader(base: positionBase, offset: p, remaining: occurrences)
    }
}

/// Decodes one posting's positions, in increasing order.
struct PositionReader {
    let base: UnsafePointer<UInt8>
    var offset: Int
    var remaining: Int
    private(set) var value: UInt32 = 0

    init(base: UnsafePointer<UInt8>, offset: Int, remaining: Int) {
        self.base = base
        self.offset = offset
        self.remaining = remaining
    }

    /// Moves to the next position; false when there is none.
    @inline(__always)
    mutating func next() -> Bool {
        guard remaining > 0 else { return false }
        remaining &-= 1
        value &+= UInt32(truncatingIfNeeded: Varint.read(base, &offset))
        return true
    }
}
