/// The documents containing one term, in increasing document number, as bytes.
///
/// Each posting is a varint of `delta << 1 | (tf == 1 ? 1 : 0)`, followed by a varint of `tf` only
/// when `tf != 1`, where `delta` is the document number minus the previous posting's (the first
/// posting's delta is its document number) and `tf` the field-weighted term frequency. Every
/// ``skipInterval`` postings a skip entry records where a block starts, so intersections jump
/// over long lists of common words instead of decoding them.
struct PostingList {
    static let skipInterval = 64

    private(set) var bytes: AppendOnlyBuffer<UInt8>
    private(set) var byteCount: UInt32 = 0
    private(set) var documentFrequency: UInt32 = 0
    private var lastDocument: UInt32 = 0
    private(set) var skips: AppendOnlyArray<SkipEntry>?

    init() {
        bytes = AppendOnlyBuffer(capacity: 8)
    }

    /// Bytes allocated for this list's storage.
    var allocatedBytes: Int { bytes.byteCount + (skips?.buffer.byteCount ?? 0) }

    /// Appends a posting; `document` must be greater than any before. Returns the change in
    /// allocated bytes.
    mutating func append(document: UInt32, tf: UInt32) -> Int {
        var delta = 0
        if documentFrequency > 0 && documentFrequency % UInt32(Self.skipInterval) == 0 {
            if skips == nil {
                skips = AppendOnlyArray(initialCapacity: 4)
                delta += skips?.buffer.byteCount ?? 0
            }
            delta += skips?.append(SkipEntry(previousDocument: lastDocument, offset: byteCount)) ?? 0
        }
        // Room for two 5-byte varints.
        let needed = Int(byteCount) + 10
        if needed > bytes.capacity {
            let old = bytes.byteCount
            bytes = bytes.grown(count: Int(byteCount), minimumCapacity: needed)
            delta += bytes.byteCount - old
        }
        let gap = document - (documentFrequency == 0 ? 0 : lastDocument)
        var p = bytes.base + Int(byteCount)
        let start = p
        p = Varint.write(UInt64(gap) << 1 | (tf == 1 ? 1 : 0), to: p)
        if tf != 1 { p = Varint.write(UInt64(tf), to: p) }
        byteCount += UInt32(p - start)
        documentFrequency += 1
        lastDocument = document
        return delta
    }

    /// What a reader may use without the lock (see ``AppendOnlyBuffer``).
    var snapshot: PostingSnapshot {
        PostingSnapshot(
            bytes: bytes, byteCount: Int(byteCount), documentFrequency: Int(documentFrequency),
            skips: skips?.buffer, skipCount: skips?.count ?? 0)
    }
}

/// Where block `k + 1` starts: the document number of the posting before it and its byte offset.
struct SkipEntry: BitwiseCopyable {
    var previousDocument: UInt32
    var offset: UInt32
}

/// An immutable view of a posting list's published prefix.
struct PostingSnapshot: Sendable {
    let bytes: AppendOnlyBuffer<UInt8>
    let byteCount: Int
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
}

/// Reads a ``PostingSnapshot`` forward. The snapshot must outlive the cursor
/// (`withExtendedLifetime`): the cursor holds raw pointers into it.
struct PostingCursor {
    private let base: UnsafePointer<UInt8>
    private let end: Int
    private let skips: UnsafePointer<SkipEntry>?
    private let skipCount: Int
    private var position = 0
    private var nextSkip = 0
    private var previous: UInt32 = 0
    private var started = false
    private(set) var exhausted = false
    /// The current posting (valid after a successful ``next()`` or ``advance(to:)``).
    private(set) var document: UInt32 = 0
    private(set) var tf: UInt32 = 0

    init(_ snapshot: PostingSnapshot) {
        base = UnsafePointer(snapshot.bytes.base)
        end = snapshot.byteCount
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
        let v = readVarint()
        document = previous &+ UInt32(truncatingIfNeeded: v >> 1)
        tf = v & 1 == 1 ? 1 : UInt32(truncatingIfNeeded: readVarint())
        previous = document
        started = true
        return true
    }

    /// Moves to the first posting at or after `target`; true when that posting is `target`.
    /// Targets must not decrease between calls.
    mutating func advance(to target: UInt32) -> Bool {
        if exhausted { return false }
        if started && document >= target { return document == target }
        if let skips {
            while nextSkip < skipCount {
                let entry = skips[nextSkip]
                guard entry.previousDocument < target else { break }
                // Every posting before that block is < target: jump unless already past it.
                if Int(entry.offset) > position {
                    position = Int(entry.offset)
                    previous = entry.previousDocument
                }
                nextSkip += 1
            }
        }
        while next() {
            if document >= target { return document == target }
        }
        return false
    }

    @inline(__always)
    private mutating func readVarint() -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = base[position]
            position += 1
            result |= UInt64(b & 0x7F) << shift
            if b < 0x80 { return result }
            shift += 7
        }
    }
}
