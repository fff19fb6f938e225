/// File names waiting to be taken, in arrival order, each at most once.
///
/// The same name often arrives twice (a start-up scan and its close event, an overflow rescan);
/// it is queued once. Unbounded on purpose: inotify's own queue limit is what overflows, and
/// that is answered with a rescan, never by dropping names here.
struct PendingQueue {
    private var names: [String] = []
    private var head = 0
    private var members: Set<String> = []

    var count: Int { names.count - head }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ name: String) {
        if members.insert(name).inserted { names.append(name) }
    }

    mutating func take(_ limit: Int) -> [String] {
        let end = head + min(limit, names.count - head)  // `head + limit` would overflow for take(Int.max)
        let batch = Array(names[head..<end])
        head = end
        for name in batch { members.remove(name) }
        if head > 4096, head * 2 > names.count {
            names.removeFirst(head)
            head = 0
        }
        return batch
    }
}
