import Crypto

/// Independent SHA-256 for checking the documented hash definition.
enum SHA256Hex {
    static func of(_ s: String) -> String { of(Array(s.utf8)) }
    static func of(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { b in
            let h = String(b, radix: 16)
            return h.count == 1 ? "0" + h : h
        }.joined()
    }
}
