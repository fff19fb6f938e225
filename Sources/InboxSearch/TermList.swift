/// Terms of a text as UTF-8 in one buffer, so tokenizing allocates nothing per term.
struct TermList {
    /// Term `i` is `bytes[start(i) ..< ends[i]]`.
    var bytes: [UInt8] = []
    var ends: [Int32] = []

    var count: Int { ends.count }

    @inline(__always)
    func start(_ i: Int) -> Int { i == 0 ? 0 : Int(ends[i - 1]) }

    /// Term `i` as a string.
    func string(_ i: Int) -> String {
        bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[start(i)..<Int(ends[i])]), as: UTF8.self)
        }
    }

    var strings: [String] { (0..<count).map(string) }

    /// True when term `i` equals `other`.
    func term(_ i: Int, equals other: [UInt8]) -> Bool {
        let s = start(i)
        let e = Int(ends[i])
        guard e - s == other.count else { return false }
        for j in 0..<other.count where bytes[s + j] != other[j] { return false }
        return true
    }

    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
    }
}

/// An open-addressing hash table from byte strings to dense ids (0, 1, 2, … in insertion
/// order), keys stored back to back in one arena: no per-term objects.
struct TermTable {
    /// Key `i` is `keys[start(i) ..< ends[i]]`, with hash `hashes[i]`.
    private(set) var keys: [UInt8] = []
    private(set) var ends: [UInt32] = []
    private(set) var hashes: [UInt32] = []
    /// Id + 1 per slot, 0 when empty; the slot count is a power of two, at most half full.
    private var slots: [UInt32]

    init(minimumCapacity: Int = 8) {
        var n = 16
        while n < 2 * minimumCapacity { n <<= 1 }
        slots = [UInt32](repeating: 0, count: n)
    }

    var count: Int { ends.count }

    /// Approximate heap bytes.
    var allocatedBytes: Int { keys.capacity + 4 * (ends.capacity + hashes.capacity + slots.count) }

    /// FNV-1a then a 32-bit finalizer (murmur3 fmix32), so that low bits are well mixed.
    @inline(__always)
    static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var h: UInt32 = 0x811C_9DC5
        for b in key { h = (h ^ UInt32(b)) &* 0x0100_0193 }
        h ^= h >> 16
        h &*= 0x85EB_CA6B
        h ^= h >> 13
        h &*= 0xC2B2_AE35
        h ^= h >> 16
        return h
    }

    static func hash(_ key: [UInt8]) -> UInt32 { key.withUnsafeBufferPointer { hash($0) } }

    /// The id of `key`, or nil.
    func find(_ key: UnsafeBufferPointer<UInt8>, hash: UInt32) -> UInt32? {
        slots.withUnsafeBufferPointer { slots in
            let mask = slots.count - 1
            var i = Int(hash) & mask
            while true {
                let s = slots[i]
                if s == 0 { return nil }
                let id = Int(s - 1)
                if hashes[id] == hash && keyEquals(id, key) { return UInt32(id) }
                i = (i + 1) & mask
            }
        }
    }

    func find(_ key: [UInt8]) -> UInt32? {
        key.withUnsafeBufferPointer { find($0, hash: Self.hash($0)) }
    }

    /// The id of `key`, added when new.
    mutating func insert(_ key: UnsafeBufferPointer<UInt8>, hash: UInt32) -> (id: UInt32, inserted: Bool) {
        let mask = slots.count - 1
        var i = Int(hash) & mask
        while true {
            let s = slots[i]
            if s == 0 { break }
            let id = Int(s - 1)
            if hashes[id] == hash && keyEquals(id, key) { return (UInt32(id), false) }
            i = (i + 1) & mask
        }
        let id = UInt32(ends.count)
        keys.append(contentsOf: key)
        ends.append(UInt32(keys.count))
        hashes.append(hash)
        slots[i] = id + 1
        if 2 * ends.count > slots.count { grow() }
        return (id, true)
    }

    /// Key `id` as bytes, for the duration of `body`.
    func withKey<R>(_ id: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let s = id == 0 ? 0 : Int(ends[id - 1])
        return keys.withUnsafeBufferPointer { body(UnsafeBufferPointer(rebasing: $0[s..<Int(ends[id])])) }
    }

    @inline(__always)
    private func keyEquals(_ id: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let s = id == 0 ? 0 : Int(ends[id - 1])
        let e = Int(ends[id])
        guard e - s == key.count else { return false }
        return keys.withUnsafeBufferPointer { k in
            for j in 0..<key.count where k[s + j] != key[j] { return false }
            return true
        }
    }

    private mutating func grow() {
        var new = [UInt32](repeating: 0, count: slots.count * 2)
        let mask = new.count - 1
        for id in 0..<ends.count {
            var i = Int(hashes[id]) & mask
            while new[i] != 0 { i = (i + 1) & mask }
            new[i] = UInt32(id + 1)
        }
        slots = new
    }
}
