/// Everything the daemon stores about one accepted file.
public struct ProcessedArticle: Sendable, Equatable {
    /// The parsed article.
    public let article: Article
    /// Identity of the content; equal for "normalized" duplicates (see ``ContentHash``).
    public let contentHash: ContentHash
    /// Lowercase hex SHA-256 of the file's raw bytes; equal only for byte-identical ("exact")
    /// duplicates.
    public let rawHash: String
    /// The encoding the bytes were decoded from.
    public let encoding: TextEncoding
    /// Size of the file in bytes.
    public let byteCount: Int

    /// Creates a record; ``ArticlePipeline/process(_:limits:)`` is the usual source.
    public init(article: Article, contentHash: ContentHash, rawHash: String, encoding: TextEncoding, byteCount: Int) {
        self.article = article
        self.contentHash = contentHash
        self.rawHash = rawHash
        self.encoding = encoding
        self.byteCount = byteCount
    }
}
