/// One stored article: one JSON object (one line) in `articles.jsonl`, snake_case keys, `"type":"article"` first.
///
/// `duplicates` is not written on the article's line: each sighting is its own `"type":"sighting"` line, and
/// `ArticleStore.record(id:)` fills `duplicates` from them (after any already folded into the line).
public struct ArticleRecord: Codable, Sendable, Equatable {
    /// The version of this schema written by this build.
    public static let currentSchemaVersion = 1

    public var schemaVersion: Int
    /// 16 lowercase hex digits, the prefix of `contentHash`; `-2`, `-3`… on a prefix collision. Assigned by the store.
    public var id: String
    /// 1, 2, 3… in store order. Assigned by the store.
    public var seq: UInt64
    /// Lowercase hex SHA-256 of the normalized content.
    public var contentHash: String
    public var hashVersion: Int
    /// Lowercase hex SHA-256 of the original bytes.
    public var rawHash: String
    public var title: String?
    public var titleDerived: Bool
    public var published: String?
    public var author: String?
    public var source: String?
    public var url: String?
    public var language: String
    public var wordCount: Int
    public var images: [String]
    public var captions: [String]
    public var body: [String]
    public var encoding: String
    public var bytes: Int
    /// The name the file arrived under.
    public var sourceFile: String
    /// Its name under `<state>/archive/`.
    public var archivedAs: String
    /// ISO 8601 UTC with milliseconds, passed in by the daemon.
    public var ingestedAt: String
    /// Later files with the same content, in the order they were seen.
    public var duplicates: [DuplicateSighting]

    public init(
        schemaVersion: Int = ArticleRecord.currentSchemaVersion, id: String, seq: UInt64, contentHash: String,
        hashVersion: Int, rawHash: String, title: String?, titleDerived: Bool, published: String?, author: String?,
        source: String?, url: String?, language: String, wordCount: Int, images: [String], captions: [String],
        body: [String], encoding: String, bytes: Int, sourceFile: String, archivedAs: String, ingestedAt: String,
        duplicates: [DuplicateSighting] = []
    ) {
        self.schemaVersion = schemaVersion
        self.id = id
        self.seq = seq
        self.contentHash = contentHash
        self.hashVersion = hashVersion
        self.rawHash = rawHash
        self.title = title
        self.titleDerived = titleDerived
        self.published = published
        self.author = author
        self.source = source
        self.url = url
        self.language = language
        self.wordCount = wordCount
        self.images = images
        self.captions = captions
        self.body = body
        self.encoding = encoding
        self.bytes = bytes
        self.sourceFile = sourceFile
        self.archivedAs = archivedAs
        self.ingestedAt = ingestedAt
        self.duplicates = duplicates
    }

    init(draft: ArticleDraft, id: String, seq: UInt64, contentHash: String, rawHash: String) {
        self.init(
            id: id, seq: seq, contentHash: contentHash, hashVersion: draft.hashVersion, rawHash: rawHash,
            title: draft.title, titleDerived: draft.titleDerived, published: draft.published, author: draft.author,
            source: draft.source, url: draft.url, language: draft.language, wordCount: draft.wordCount,
            images: draft.images, captions: draft.captions, body: draft.body, encoding: draft.encoding,
            bytes: draft.bytes, sourceFile: draft.sourceFile, archivedAs: draft.archivedAs,
            ingestedAt: draft.ingestedAt)
    }

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version"
        case id, seq
        case contentHash = "content_hash"
        case hashVersion = "hash_version"
        case rawHash = "raw_hash"
        case title
        case titleDerived = "title_derived"
        case published, author, source, url, language
        case wordCount = "word_count"
        case images, captions, body, encoding, bytes
        case sourceFile = "source_file"
        case archivedAs = "archived_as"
        case ingestedAt = "ingested_at"
        case duplicates
    }

    /// Decodes a record; `duplicates` may be absent (it is, on log lines). With `ArticleRecord.skipBodyKey` set to
    /// true in the decoder's user info, `body` is left empty (listings).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c.decode(Int.self, forKey: .schemaVersion)
        id = try c.decode(String.self, forKey: .id)
        seq = try c.decode(UInt64.self, forKey: .seq)
        contentHash = try c.decode(String.self, forKey: .contentHash)
        hashVersion = try c.decode(Int.self, forKey: .hashVersion)
        rawHash = try c.decode(String.self, forKey: .rawHash)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        titleDerived = try c.decode(Bool.self, forKey: .titleDerived)
        published = try c.decodeIfPresent(String.self, forKey: .published)
        author = try c.decodeIfPresent(String.self, forKey: .author)
        source = try c.decodeIfPresent(String.self, forKey: .source)
        url = try c.decodeIfPresent(String.self, forKey: .url)
        language = try c.decode(String.self, forKey: .language)
        wordCount = try c.decode(Int.self, forKey: .wordCount)
        images = try c.decode([String].self, forKey: .images)
        captions = try c.decode([String].self, forKey: .captions)
        if decoder.userInfo[Self.skipBodyKey] as? Bool == true {
            body = []
        } else {
            body = try c.decode([String].self, forKey: .body)
        }
        encoding = try c.decode(String.self, forKey: .encoding)
        bytes = try c.decode(Int.self, forKey: .bytes)
        sourceFile = try c.decode(String.self, forKey: .sourceFile)
        archivedAs = try c.decode(String.self, forKey: .archivedAs)
        ingestedAt = try c.decode(String.self, forKey: .ingestedAt)
        duplicates = try c.decodeIfPresent([DuplicateSighting].self, forKey: .duplicates) ?? []
    }

    /// User-info key: when true, decoding leaves `body` empty.
    public static let skipBodyKey = CodingUserInfoKey(rawValue: "inboxd.skipBody")!
}

/// What the daemon knows about an article before the store takes it: the record without `id`, `seq`,
/// `schemaVersion` and `duplicates`.
public struct ArticleDraft: Sendable, Equatable {
    /// Hex SHA-256 (64 digits) of the normalized content.
    public var contentHash: String
    public var hashVersion: Int
    /// Hex SHA-256 (64 digits) of the original bytes.
    public var rawHash: String
    public var title: String?
    public var titleDerived: Bool
    public var published: String?
    public var author: String?
    public var source: String?
    public var url: String?
    public var language: String
    public var wordCount: Int
    public var images: [String]
    public var captions: [String]
    public var body: [String]
    public var encoding: String
    public var bytes: Int
    public var sourceFile: String
    public var archivedAs: String
    public var ingestedAt: String

    public init(
        contentHash: String, hashVersion: Int, rawHash: String, title: String? = nil, titleDerived: Bool = false,
        published: String? = nil, author: String? = nil, source: String? = nil, url: String? = nil,
        language: String, wordCount: Int, images: [String] = [], captions: [String] = [], body: [String],
        encoding: String, bytes: Int, sourceFile: String, archivedAs: String, ingestedAt: String
    ) {
        self.contentHash = contentHash
        self.hashVersion = hashVersion
        self.rawHash = rawHash
        self.title = title
        self.titleDerived = titleDerived
        self.published = published
        self.author = author
        self.source = source
        self.url = url
        self.language = language
        self.wordCount = wordCount
        self.images = images
        self.captions = captions
        self.body = body
        self.encoding = encoding
        self.bytes = bytes
        self.sourceFile = sourceFile
        self.archivedAs = archivedAs
        self.ingestedAt = ingestedAt
    }
}

/// A later file whose content matched an article already stored.
public struct DuplicateSighting: Codable, Sendable, Equatable {
    public enum Kind: String, Codable, Sendable, Hashable, CaseIterable {
        /// Byte-for-byte the same file (same raw hash).
        case exact
        /// Different bytes, same normalized content.
        case normalized
    }

    /// The name the file arrived under.
    public var file: String
    /// When it was seen: ISO 8601 UTC with milliseconds, passed in by the daemon.
    public var at: String
    public var kind: Kind
    /// Lowercase hex SHA-256 of its bytes.
    public var rawHash: String
    /// Its name under `<state>/duplicates/`.
    public var storedAs: String

    public init(file: String, at: String, kind: Kind, rawHash: String, storedAs: String) {
        self.file = file
        self.at = at
        self.kind = kind
        self.rawHash = rawHash
        self.storedAs = storedAs
    }

    enum CodingKeys: String, CodingKey {
        case file, at, kind
        case rawHash = "raw_hash"
        case storedAs = "stored_as"
    }
}
