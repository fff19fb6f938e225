/// What the store keeps in memory about an article: enough for dedupe and idempotency, never the body.
public struct ArticleSummary: Sendable, Equatable {
    public var id: String
    public var seq: UInt64
    public var contentHash: String
    /// Raw hash of the file the article was first stored from.
    public var rawHash: String
    /// Duplicate sightings recorded so far (staged ones included).
    public var sightings: Int
    /// Where its line is in `articles.jsonl`.
    public var logOffset: UInt64
    public var logLength: Int
    /// False while the article is staged and not yet committed.
    public var isDurable: Bool
    var sourceFileKey: UInt64

    /// True when `file` with `rawHash` is the very file this article was stored from: a re-take after a crash
    /// between `commit()` and the file leaving the inbox, not a duplicate. (File names are compared by a 64-bit
    /// hash; raw hashes exactly.)
    public func isOriginal(file: String, rawHash: String) -> Bool {
        Hash256(hex: rawHash)?.hex == self.rawHash && Mix.fileKey(file) == sourceFileKey
    }
}

/// Totals for status output.
public struct StoreCounts: Sendable, Equatable {
    public var articles: Int
    /// Duplicate sightings of all kinds.
    public var sightings: Int
    public var sightingsByKind: [DuplicateSighting.Kind: Int]
    /// Durable bytes of `articles.jsonl` plus `index.bin`.
    public var bytesOnDisk: UInt64
    /// Records staged and not yet committed.
    public var pendingRecords: Int
}

/// One thing the start-up found and fixed (or worked around).
public struct StoreRepair: Sendable, Equatable, CustomStringConvertible {
    public enum Action: String, Sendable {
        /// The log was cut back to its last complete record.
        case truncatedTail = "truncated torn tail"
        /// A corrupt line in the middle of the log is skipped (left on disk).
        case skippedCorruptLine = "skipped corrupt line"
        /// A well-formed line this build cannot use (newer schema, orphan sighting…) is ignored (left on disk).
        case ignoredLine = "ignored line"
        /// Index entries that did not match the log were dropped (and rebuilt from the log where it had records).
        case droppedIndexEntries = "dropped index entries"
        /// The index was missing or unreadable and was rebuilt from the log.
        case rebuiltIndex = "rebuilt index"
        /// The index stopped short of the log's end (crash between a commit's two writes); the rest was indexed.
        case indexedLogTail = "indexed log tail"
        /// A temporary file left by an interrupted rebuild or compaction was removed.
        case removedTempFile = "removed temporary file"
    }

    public var action: Action
    /// The file concerned.
    public var file: String
    /// Where in it.
    public var offset: UInt64
    /// Bytes dropped, skipped or removed.
    public var bytes: UInt64
    public var reason: String

    public var description: String {
        "\(file): \(action.rawValue): \(bytes) bytes at offset \(offset): \(reason)"
    }
}

/// What `ArticleStore.init` found.
public struct LoadReport: Sendable, Equatable {
    public var articles: Int
    public var sightings: Int
    /// Wall time of the load, repairs included.
    public var seconds: Double
    /// Everything repaired or skipped; empty for a clean start.
    public var repaired: [StoreRepair]
    /// Index entries read from `index.bin`.
    public var indexEntriesLoaded: Int
    /// Index entries rebuilt by scanning the part of the log the index did not cover.
    public var rebuiltIndexEntries: Int
}
