/// What the parser makes of one news article.
///
/// Text fields are in display form (the writer's tone style kept); single-line fields (title,
/// author, source, captions) also have their whitespace collapsed to single spaces. JSON keys are
/// the property names.
public struct Article: Sendable, Equatable, Codable {
    /// The article's own headline, or one derived from the first body sentence; nil when the
    /// file has neither (e.g. nothing but a byline).
    public var title: String?
    /// True when ``title`` was derived from the body because the file had no headline line.
    public var titleDerived: Bool
    /// Publication time as ISO 8601: `2024-03-24T07:00:00+07:00` when a time and a zone are known
    /// (Vietnamese day-first dates without a zone are taken as +07:00), `2024-03-26` when only
    /// the day is known or no zone can be trusted (English dates without an offset), nil when
    /// there is no date line or its year is unknown.
    public var published: String?
    /// From a byline (`Phương Hằng 07:00 | 24/03/2024`, `By Jane Doe`) or a name alone on the
    /// last line.
    public var author: String?
    /// Outlet: an outlet line in the header (`VOA Tiếng Việt`), else a footer credit
    /// (`Nguồn QĐND`), else a wire dateline (`WASHINGTON, March 25 (Reuters) - ...`).
    public var source: String?
    /// The first non-image URL line.
    public var url: String?
    /// Image URL lines, in order.
    public var images: [String]
    /// Photo captions, in order.
    public var captions: [String]
    /// Body paragraphs (one per non-blank body line), display form, in order.
    public var body: [String]
    /// `vi`, `en` or `und`.
    public var language: String
    /// Whitespace-separated words in the body.
    public var wordCount: Int

    /// Creates an article; every field defaults to empty (language `und`).
    public init(
        title: String? = nil, titleDerived: Bool = false, published: String? = nil, author: String? = nil,
        source: String? = nil, url: String? = nil, images: [String] = [], captions: [String] = [],
        body: [String] = [], language: String = "und", wordCount: Int = 0
    ) {
        self.title = title
        self.titleDerived = titleDerived
        self.published = published
        self.author = author
        self.source = source
        self.url = url
        self.images = images
        self.captions = captions
        self.body = body
        self.language = language
        self.wordCount = wordCount
    }
}
