/// A SHA-256 value held as four 64-bit words, most significant first: `a` is the number written by the first
/// 16 hex digits, so an article id's hex prefix is `a` in hex. Bytes on disk are big-endian (as the hash reads).
struct Hash256: Hashable, Sendable {
    var a: UInt64
    var b: UInt64
    var c: UInt64
    var d: UInt64

    static let zero = Hash256(a: 0, b: 0, c: 0, d: 0)

    init(a: UInt64, b: UInt64, c: UInt64, d: UInt64) {
        self.a = a
        self.b = b
        self.c = c
        self.d = d
    }

    /// Parses exactly 64 hex digits (either case); nil for anything else.
    init?(hex: String) {
        // Looked up several times per ingested file: read the UTF-8 in place, no iterator, and
        // one table load per digit with a single validity check at the end (no branch per digit).
        var text = hex
        let words: (UInt64, UInt64, UInt64, UInt64)? = text.withUTF8 { bytes in
            guard bytes.count == 64 else { return nil }
            return Hex.nibbles.withUnsafeBufferPointer { nibbles in
                var seen: UInt8 = 0
                func word(_ start: Int) -> UInt64 {
                    var value: UInt64 = 0
                    for i in start..<(start + 16) {
                        let nibble = nibbles[Int(bytes[i])]
                        seen |= nibble
                        value = value << 4 | UInt64(nibble & 0xF)
                    }
                    return value
                }
                let words = (word(0), word(16), word(32), word(48))
                return seen & 0xF0 == 0 ? words : nil
            }
        }
        guard let words else { return nil }
        self.init(a: words.0, b: words.1, c: words.2, d: words.3)
    }

    /// 64 lowercase hex digits.
    var hex: String {
        String(unsafeUninitializedCapacity: 64) { buffer in
            Hex.write(a, into: buffer, at: 0)
            Hex.write(b, into: buffer, at: 16)
            Hex.write(c, into: buffer, at: 32)
            Hex.write(d, into: buffer, at: 48)
            return 64
        }
    }
}

enum Hex {
    /// The value of each hex digit (either case); 0xFF for every other byte.
    static let nibbles: [UInt8] = (0..<256).map { value(of: UInt8($0)) ?? 0xFF }

    @inline(__always)
    static func value(of byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte &- 0x30
        case 0x61...0x66: return byte &- 0x61 &+ 10
        case 0x41...0x46: return byte &- 0x41 &+ 10
        default: return nil
        }
    }

    static func write(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        for i in 0..<16 {
            let nibble = UInt8(truncatingIfNeeded: (value >> UInt64(60 - 4 * i)) & 0xF)
            buffer[start + i] = nibble < 10 ? 0x30 &+ nibble : 0x57 &+ nibble
        }
    }

    /// 16 lowercase hex digits.
    static func string16(_ value: UInt64) -> String {
        String(unsafeUninitializedCapacity: 16) { buffer in
            write(value, into: buffer, at: 0)
            return 16
        }
    }
}

/// Article ids: the first 16 hex digits of the content hash, plus `-2`, `-3`… for later articles whose content
/// hashes share that prefix.
enum ArticleID {
    static func format(prefix: UInt64, suffix: UInt32) -> String {
        suffix == 0 ? Hex.string16(prefix) : Hex.string16(prefix) + "-" + String(suffix)
    }

    /// (prefix, suffix) for a well-formed id; suffix 0 means none. Only lowercase hex, only suffixes ≥ 2.
    static func parse(_ id: String) -> (prefix: UInt64, suffix: UInt32)? {
        let utf8 = id.utf8
        guard utf8.count >= 16 else { return nil }
        var prefix: UInt64 = 0
        var index = utf8.startIndex
        for _ in 0..<16 {
            let byte = utf8[index]
            guard byte < 0x41 || byte > 0x46, let nibble = Hex.value(of: byte) else { return nil }
            prefix = prefix << 4 | UInt64(nibble)
            index = utf8.index(after: index)
        }
        if index == utf8.endIndex { return (prefix, 0) }
        guard utf8[index] == UInt8(ascii: "-") else { return nil }
        let digits = id.utf8[utf8.index(after: index)...]
        guard !digits.isEmpty, digits.count <= 9, digits.first != UInt8(ascii: "0") else { return nil }
        var suffix: UInt32 = 0
        for byte in digits {
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            suffix = suffix * 10 + UInt32(byte - 0x30)
        }
        guard suffix >= 2 else { return nil }
        return (prefix, suffix)
    }
}

/// Small non-cryptographic hashing helpers.
enum Mix {
    /// The splitmix64 finalizer: a bijection on 64 bits with good avalanche.
    @inline(__always)
    static func mix64(_ value: UInt64) -> UInt64 {
        var z = value &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// FNV-1a over the UTF-8 bytes, finalized with `mix64`: a 64-bit key for a file name.
    static func fileKey(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3
        }
        return mix64(hash)
    }

    /// The key of a sighting for idempotency checks: (article seq, file name, raw hash).
    static func sightingKey(articleSeq: UInt64, fileKey: UInt64, rawHash: Hash256) -> UInt64 {
        var key = mix64(articleSeq ^ 0x5157_A11C_E5EE_D001)
        key = mix64(key ^ fileKey)
        key = mix64(key ^ rawHash.a)
        return mix64(key ^ rawHash.b)
    }
}
