/// JSON bodies of the local API, shared by the daemon and `inboxctl` so both agree on the wire.
/// Keys are snake_case on the wire; see docs/api.md.

/// `GET /v1/status`.
public struct StatusResponse: Codable, Sendable, Equatable {
    public var state: String            // starting | ready | degraded | stopping
    public var articles: Int
    public var duplicates: Int
    public var rejected: Int
    public var pending: Int
    public var inbox: String
    public var stateDir: String
    public var version: String
    public var uptimeSeconds: Double
    public var lastError: String?
    public var overflows: Int
    public var rescans: Int

    public init(state: String, articles: Int, duplicates: Int, rejected: Int, pending: Int, inbox: String,
                stateDir: String, version: String, uptimeSeconds: Double, lastError: String?,
                overflows: Int, rescans: Int) {
        self.state = state
        self.articles = articles
        self.duplicates = duplicates
        self.rejected = rejected
        self.pending = pending
        self.inbox = inbox
        self.stateDir = stateDir
        self.version = version
        self.uptimeSeconds = uptimeSeconds
        self.lastError = lastError
        self.overflows = overflows
        self.rescans = rescans
    }

    enum CodingKeys: String, CodingKey {
        case state, articles, duplicates, rejected, pending, inbox, version, overflows, rescans
        case stateDir = "state_dir"
        case uptimeSeconds = "uptime_seconds"
        case lastError = "last_error"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(state, forKey: .state)
        try c.encode(articles, forKey: .articles)
        try c.encode(duplicates, forKey: .duplicates)
        try c.encode(rejected, forKey: .rejected)
        try c.encode(pending, forKey: .pending)
        try c.encode(inbox, forKey: .inbox)
        try c.encode(stateDir, forKey: .stateDir)
        try c.encode(version, forKey: .version)
        try c.encode(uptimeSeconds, forKey: .uptimeSeconds)
        try c.encode(lastError, forKey: .lastError)  // explicit null: the field is always present
        try c.encode(overflows, forKey: .overflows)
        try c.encode(rescans, forKey: .rescans)
    }
}

/// `{"error": {"code": ..., "message": ...}}` with a matching HTTP status.
public struct ErrorResponse: Codable, Sendable, Equatable {
    public struct Detail: Codable, Sendable, Equatable {
        public var code: String
        public var message: String
    }
    public var error: Detail

    public init(code: String, message: String) { error = Detail(code: code, message: message) }
}

/// `GET /v1/search`: one page of ranked matches.
public struct SearchResponse: Codable, Sendable, Equatable {
    public struct Hit: Codable, Sendable, Equatable {
        public var id: String
        public var score: Double
        public var snippet: String
        public var title: String?
        public var published: String?
        public var source: String?
        public var author: String?

        public init(id: String, score: Double, snippet: String, title: String?, published: String?,
                    source: String?, author: String?) {
            self.id = id
            self.score = score
            self.snippet = snippet
            self.title = title
            self.published = published
            self.source = source
            self.author = author
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(id, forKey: .id)
            try c.encode(score, forKey: .score)
            try c.encode(snippet, forKey: .snippet)
            // explicit nulls: every field is always present
            try c.encode(title, forKey: .title)
            try c.encode(published, forKey: .published)
            try c.encode(source, forKey: .source)
            try c.encode(author, forKey: .author)
        }
    }

    public var query: String
    /// Matches in all, of which `results` is the requested page.
    public var total: Int
    /// Articles the index holds (it catches up after a burst).
    public var indexed: Int
    public var results: [Hit]

    public init(query: String, total: Int, indexed: Int, results: [Hit]) {
        self.query = query
        self.total = total
        self.indexed = indexed
        self.results = results
    }
}
