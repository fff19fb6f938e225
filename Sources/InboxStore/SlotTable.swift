/// An open-addressing hash table of `UInt32` values whose keys live elsewhere (in the store's slot arrays).
///
/// The tables key on SHA-256 words, which are already uniform; a per-process random seed is mixed in so that
/// crafted files cannot pile up in one probe chain. Linear probing at ≤ 50 % load: 4 bytes per bucket, so the
/// two tables of a one-million-article store take 16 MB. Values are never removed (the store only appends);
/// a failed commit rebuilds the tables.
struct SlotTable: Sendable {
    static let empty = UInt32.max

    private(set) var buckets: [UInt32]
    private(set) var count = 0
    private var mask: Int
    private let seed: UInt64

    init(minimumCapacity: Int, seed: UInt64) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity <<= 1 }
        buckets = [UInt32](repeating: Self.empty, count: capacity)
        mask = capacity - 1
        self.seed = seed
    }

    var needsGrowth: Bool { (count + 1) * 2 > buckets.count }

    @inline(__always)
    private func start(_ hash: UInt64) -> Int {
        Int(truncatingIfNeeded: Mix.mix64(hash ^ seed)) & mask
    }

    /// Inserts without checking for an equal key. Call `grow(hashOf:)` first when `needsGrowth`.
    mutating func insert(_ value: UInt32, hash: UInt64) {
        var i = start(hash)
        while buckets[i] != Self.empty { i = (i &+ 1) & mask }
        buckets[i] = value
        count += 1
    }

    /// Doubles the capacity; `hashOf` gives the hash of a stored value.
    mutating func grow(hashOf: (UInt32) -> UInt64) {
        let old = buckets
        let capacity = buckets.count * 2
        buckets = [UInt32](repeating: Self.empty, count: capacity)
        mask = capacity - 1
        count = 0
        for value in old where value != Self.empty {
            insert(value, hash: hashOf(value))
        }
    }

    /// The first value, in insertion order among equal hashes, that `match` accepts.
    func first(hash: UInt64, where match: (UInt32) -> Bool) -> UInt32? {
        var i = start(hash)
        while true {
            let value = buckets[i]
            if value == Self.empty { return nil }
            if match(value) { return value }
            i = (i &+ 1) & mask
        }
    }

    /// Every value on the probe chain of `hash` (a superset of the values stored under it).
    func forEachCandidate(hash: UInt64, _ body: (UInt32) -> Void) {
        var i = start(hash)
        while true {
            let value = buckets[i]
            if value == Self.empty { return }
            body(value)
            i = (i &+ 1) & mask
        }
    }
}
