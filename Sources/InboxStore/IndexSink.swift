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
        if buffer.count >= 1 << 20 { try flush() }  // ~9,000 entries: a rebuild cut short keeps its progress
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
