/// Turns decoded text into an ``Article``.
///
/// Each non-blank line is classified on its canonical form (so tone style, NFD, NBSP padding
/// or CRLF never change a decision) and output in display form. In order:
/// 1. Line-local classes from ``LineClassifier``: junk, URL, image URL, date line, byline,
///    footer credit, caption, boilerplate, outlet, `By ...` author.
/// 2. The header: lines before the first body line. The first headline-like line there is the
///    title; see ``analyze(_:)`` for the all-caps blog header rule.
/// 3. Everything else is body; a line that cannot be classified is never dropped.
/// 4. Afterwards: a line right after an image URL is its caption, a name alone on the last line
///    is the author, repeated pull quotes are dropped, and a missing title is derived from the
///    first body sentence.
public enum ArticleParser {
    /// Parses decoded text (any normal form, any line endings).
    public static func parse(_ text: String) -> Article {
        analyze(text).article
    }

    enum Kind: Equatable {
        case blank, junk, title, blogHeader, date, byline, outlet, url, image, caption, boilerplate, footer
        case author, body, pullQuote
    }

    struct Analysis {
        var article: Article
        var table: LineTable
        var kinds: [Kind]
        /// Indices into `table.lines` of the body paragraphs, in order (what is hashed).
        var bodyLines: [Int]
    }

    static func analyze(_ text: String) -> Analysis {
        analyze(table: LineScanner.scan(text))
    }

    /// What the walk over the lines collects besides their kinds.
    private struct Metadata {
        var titleLine: Int?
        var preTitleDate: DateStamp?
        var postTitleDate: DateStamp?
        var author: String?
        var outlet: String?
        var footerSource: String?
        var url: String?
        var images: [String] = []

        /// A date above the title belongs to the page (a blog's post date), one below it to the
        /// article; the article's own wins. A date without a year is no date (null beats wrong).
        mutating func record(_ d: DateStamp) {
            guard d.year != nil else { return }
            if titleLine == nil { preTitleDate = preTitleDate ?? d } else { postTitleDate = postTitleDate ?? d }
        }
    }

    static func analyze(table: LineTable) -> Analysis {
        var kinds = [Kind](repeating: .blank, count: table.lines.count)
        var meta = Metadata()
        var inHeader = true
        var titleIsCaps = false
        var afterImage = false

        for (idx, line) in table.lines.enumerated() where !line.isBlank {
            let cls = LineClassifier.classify(table, line)
            if afterImage {
                afterImage = false
                // A short unclassified line right under a photo describes the photo.
                if cls == nil && line.canonicalEnd - line.canonicalStart <= 600
                    && PullQuotes.quote(table.canonicalBytes(line)) == nil
                {
                    kinds[idx] = .caption
                    continue
                }
            }
            switch cls {
            case .junk:
                kinds[idx] = .junk
            case .url(let u):
                kinds[idx] = .url
                if meta.url == nil { meta.url = u }
            case .image(let u):
                kinds[idx] = .image
                meta.images.append(u)
                afterImage = true
            case .date(let d), .byline(author: nil, let d):
                kinds[idx] = .date
                meta.record(d)
            case .byline(let a?, let d):
                kinds[idx] = .byline
                if meta.author == nil { meta.author = a }
                meta.record(d)
            case .footer(let s):
                kinds[idx] = .footer
                if meta.footerSource == nil { meta.footerSource = s }
            case .caption:
                kinds[idx] = .caption
            case .boilerplate:
                kinds[idx] = .boilerplate
            case .outlet(let name):
                kinds[idx] = .outlet
                if meta.outlet == nil { meta.outlet = name }
            case .author(let name):
                kinds[idx] = .author
                if meta.author == nil { meta.author = name }
            case nil:
                if inHeader {
                    let canonical = table.canonicalString(line)
                    if meta.titleLine == nil && LineClassifier.isHeadlineLike(canonical) {
                        meta.titleLine = idx
                        titleIsCaps = LineClassifier.isMostlyUppercase(canonical)
                        kinds[idx] = .title
                        continue
                    }
                    // Blogs that repost an article put their own ALL-CAPS header above the
                    // article's headline (seed 002: "HAI NGOẠI TRƯỞNG ... (VOA Tiếng Việt)" over
                    // "Hai ngoại trưởng Mỹ, Việt chủ trì ..."). The mixed-case line is the
                    // headline as the outlet printed it, so it wins; the caps line is page chrome.
                    if let t = meta.titleLine, titleIsCaps, LineClassifier.isHeadlineLike(canonical),
                        !LineClassifier.isMostlyUppercase(canonical)
                    {
                        kinds[t] = .blogHeader
                        meta.titleLine = idx
                        titleIsCaps = false
                        kinds[idx] = .title
                        continue
                    }
                    inHeader = false
                }
                kinds[idx] = .body
            }
        }

        if let a = signatureLine(table, kinds) {
            kinds[a] = .author
            if meta.author == nil { meta.author = Inline.collapse(table.contentBytes(table.lines[a])) }
        }
        var bodyLines = kinds.indices.filter { kinds[$0] == .body }
        let quotes = PullQuotes.find(in: table, body: bodyLines)
        if !quotes.isEmpty {
            for q in quotes { kinds[q] = .pullQuote }
            bodyLines.removeAll { quotes.contains($0) }
        }
        let article = assemble(table, kinds, bodyLines, meta)
        return Analysis(article: article, table: table, kinds: kinds, bodyLines: bodyLines)
    }

    /// A writer's name alone on the last content line (after which only chrome follows), when
    /// there is other body text.
    private static func signatureLine(_ table: LineTable, _ kinds: [Kind]) -> Int? {
        for idx in table.lines.indices.reversed() {
            switch kinds[idx] {
            case .blank, .boilerplate, .footer, .junk, .url, .image, .date, .outlet, .caption:
                continue
            case .body:
                let line = table.lines[idx]
                guard line.canonicalEnd - line.canonicalStart <= LineClassifier.maxNameLineBytes,
                    kinds[..<idx].contains(.body)
                else { return nil }
                return LineClassifier.isNameLine(table.canonicalString(line)) ? idx : nil
            default:
                return nil
            }
        }
        return nil
    }

    private static func assemble(_ table: LineTable, _ kinds: [Kind], _ bodyLines: [Int], _ meta: Metadata) -> Article {
        var title: String?
        var titleDerived = false
        if let t = meta.titleLine {
            title = Inline.collapse(table.contentBytes(table.lines[t]))
        } else if let first = bodyLines.first {
            // Only the paragraph's start can hold the first sentence; a 10 MB line is not copied.
            title = TitleDeriver.derive(from: Inline.collapse(table.contentBytes(table.lines[first]).prefix(4096)))
            titleDerived = true
        }
        var wordCount = 0
        table.canonical.withUnsafeBytes { c in
            // Canonical lines have single inner spaces and none at the ends.
            for idx in bodyLines { wordCount += UTF8Encoding.spaceCount(c, table.lines[idx].canonicalRange) + 1 }
        }
        let languageLines = bodyLines.isEmpty ? table.lines.indices.filter { !table.lines[$0].isBlank } : bodyLines
        return Article(
            title: title,
            titleDerived: titleDerived,
            published: (meta.postTitleDate ?? meta.preTitleDate)?.iso,
            author: meta.author,
            source: meta.outlet ?? meta.footerSource ?? WireDateline.source(table, bodyLines: bodyLines),
            url: meta.url,
            images: meta.images,
            captions: kinds.indices.filter { kinds[$0] == .caption }.map {
                Inline.collapse(table.contentBytes(table.lines[$0]))
            },
            body: bodyLines.map { table.contentString(table.lines[$0]) },
            language: LanguageDetector.detect(table, lines: languageLines),
            wordCount: wordCount)
    }
}
