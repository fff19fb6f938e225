import CSystemd
import Glibc

/// Structured journal entries through `sd_journal_sendv`.
///
/// swift-log metadata keys become journal field names, which must be `UPPER_SNAKE`: letters,
/// digits and underscores, not starting with a digit or underscore (systemd.journal-fields(7)).
public enum JournalFields {
    /// Well-known keys get the names the docs promise (`file` is the inbox name of the file).
    static let renames: [String: String] = ["file": "SOURCE_FILE", "reason": "REASON"]

    /// `article_id` → `ARTICLE_ID`, `content-hash` → `CONTENT_HASH`; nil when nothing usable remains.
    public static func fieldName(_ key: String) -> String? {
        if let renamed = renames[key] { return renamed }
        var name = ""
        for scalar in key.unicodeScalars {
            switch scalar {
            case "a"..."z": name.unicodeScalars.append(Unicode.Scalar(scalar.value - 32)!)
            case "A"..."Z", "0"..."9": name.unicodeScalars.append(scalar)
            default: name += "_"
            }
        }
        while name.hasPrefix("_") { name.removeFirst() }
        guard let first = name.unicodeScalars.first else { return nil }
        if ("0"..."9").contains(first) { name = "F_" + name }
        return String(name.prefix(64))
    }

    /// Sends one entry; returns false when the journal refused it (caller falls back to stderr).
    public static func send(message: String, priority: Int, fields: [(String, String)]) -> Bool {
        var entries = ["MESSAGE=" + message, "PRIORITY=\(priority)", "SYSLOG_IDENTIFIER=inboxd"]
        for (key, value) in fields {
            guard let name = fieldName(key), !["MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER"].contains(name) else { continue }
            entries.append(name + "=" + value)
        }
        let buffers = entries.map { Array($0.utf8) }
        var vectors: [iovec] = []
        vectors.reserveCapacity(buffers.count)
        return withPinned(buffers, index: 0, vectors: &vectors)
    }

    /// Keeps every buffer's storage alive while `sd_journal_sendv` reads it.
    private static func withPinned(_ buffers: [[UInt8]], index: Int, vectors: inout [iovec]) -> Bool {
        if index == buffers.count {
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) } >= 0
        }
        return buffers[index].withUnsafeBytes { raw in
            vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: raw.baseAddress), iov_len: raw.count))
            return withPinned(buffers, index: index + 1, vectors: &vectors)
        }
    }
}
