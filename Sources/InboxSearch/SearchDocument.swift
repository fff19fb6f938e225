import InboxCore

/// What the index sees of one article: its id and the searchable fields, in display form.
///
/// The same type is what `fetch` returns at query time for phrase verification and snippets, so
/// the text must be the one that was indexed (or at least tokenize the same way).
public struct SearchDocument: Sendable, Equatable {
    /// The caller's identifier (the store's article id); the index keeps one entry per id.
    public var id: String
    public var title: String?
    public var author: String?
    public var source: String?
    /// Body paragraphs in order. A quoted phrase never matches across two paragraphs.
    public var body: [String]

    public init(id: String, title: String? = nil, author: String? = nil, source: String? = nil, body: [String] = []) {
        self.id = id
        self.title = title
        self.author = author
        self.source = source
        self.body = body
    }

    /// The searchable fields of a parsed article.
    public init(id: String, article: Article) {
        self.init(id: id, title: article.title, author: article.author, source: article.source, body: article.body)
    }
}

/// One ranked result.
public struct SearchHit: Sendable, Equatable {
    public var id: String
    /// BM25 score (higher is better); only meaningful relative to the other hits of one query.
    public var score: Double
    /// About 160 characters of original text around the first match, `…` where it was cut, each
    /// matched word wrapped in `«` `»`. Empty when `fetch` returned nil for this id.
    public var snippet: String

    public init(id: String, score: Double, snippet: String) {
        self.id = id
        self.score = score
        self.snippet = snippet
    }
}
