import Crypto

/// Lowercase hexadecimal rendering of digests.
enum Hex {
    /// Read through the digest's own storage: iterating a digest as a sequence copied it into
    /// a new array first, and appending byte by byte checked capacity twice per byte (profiled).
    static func string(_ digest: SHA256.Digest) -> String {
        digest.withUnsafeBytes { raw in
            String(unsafeUninitializedCapacity: raw.count * 2) { out in
                for (i, b) in raw.enumerated() {
                    out[2 * i] = digit(b >> 4)
                    out[2 * i + 1] = digit(b & 0x0F)
                }
                return raw.count * 2
            }
        }
    }

    @inline(__always) private static func digit(_ v: UInt8) -> UInt8 {
        v < 10 ? 0x30 + v : 0x57 + v
    }

    static func isLowercaseHex(_ s: String, count: Int) -> Bool {
        var n = 0
        for b in s.utf8 {
            guard (b >= 0x30 && b <= 0x39) || (b >= 0x61 && b <= 0x66) else { return false }
            n += 1
        }
        return n == count
    }
}
