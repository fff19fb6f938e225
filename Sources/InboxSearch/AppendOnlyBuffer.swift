/// Fixed-capacity storage that is only ever appended to, so readers can use a published prefix
/// without holding the lock.
///
/// The contract (kept by ``PostingList`` and ``SearchIndex``): elements are written only under
/// the index lock and only at indices at or past the count that was published under that lock;
/// a written element never changes. A reader that took a reference to the buffer and its count
/// under the lock may then read `0..<count` with no lock: those bytes happened-before the unlock,
/// and later writes touch other addresses. Growing allocates a new buffer and copies; readers
/// holding the old one keep it alive by their reference.
final class AppendOnlyBuffer<Element: BitwiseCopyable>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Element>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// A larger buffer holding a copy of the first `count` elements: 1.5 times as large while
    /// small, 1.125 times from 64 KiB on (less slack where it matters; the copies stay cheap).
    func grown(count: Int, minimumCapacity: Int) -> AppendOnlyBuffer {
        let step = byteCount < 65536 ? capacity / 2 : capacity / 8
        let new = AppendOnlyBuffer(capacity: max(minimumCapacity, capacity + step, 16))
        new.base.update(from: base, count: count)
        return new
    }

    var byteCount: Int { capacity * MemoryLayout<Element>.stride }
}

/// An append-only array built on ``AppendOnlyBuffer``: the writer's side.
struct AppendOnlyArray<Element: BitwiseCopyable> {
    private(set) var buffer: AppendOnlyBuffer<Element>
    private(set) var count = 0

    init(initialCapacity: Int) {
        buffer = AppendOnlyBuffer(capacity: initialCapacity)
    }

    /// Appends; returns the change in allocated bytes (for memory accounting).
    @discardableResult
    mutating func append(_ element: Element) -> Int {
        var delta = 0
        if count == buffer.capacity {
            let old = buffer.byteCount
            buffer = buffer.grown(count: count, minimumCapacity: count + 1)
            delta = buffer.byteCount - old
        }
        (buffer.base + count).initialize(to: element)
        count += 1
        return delta
    }
}
