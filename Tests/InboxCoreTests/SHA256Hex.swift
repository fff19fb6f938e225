@testable import InboxCore

/// SHA-256 of the bytes the documented hash definition says are hashed.
enum SHA256Hex {
    static func of(_ s: String) -> String { of(Array(s.utf8)) }
    static func of(_ bytes: [UInt8]) -> String { ContentHash.sha256Hex(bytes) }
}
