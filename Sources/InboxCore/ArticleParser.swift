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

    static func analyze(table: LineTable) -> Analysis {
        var kinds = [Kind](repeating: .blank, count: table.lines.count)
        var inHeader = true
        var titleLine: Int?
        var titleIsCaps = false
        var afterImage = false
        var preTitleDate: DateStamp?, postTitleDate: DateStamp?
        var author: String?, outlet: String?, footerSource: String?, url: String?
        var images: [String] = []

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
                if url == nil { url = u }
            case .image(let u):
                kinds[idx] = .image
                images.append(u)
                afterImage = true
            case .date(let d), .byline(author: nil, let d):
                kinds[idx] = .date
                // A date above the title belongs to the page (a blog's post date), one below it
                // to the article; the article's own wins. A date without a year is no date.
                if d.year != nil {
                    if titleLine == nil { preTitleDate = preTitleDate ?? d } else { postTitleDate = postTitleDate ?? d }
                }
            case .byline(let a?, let d):
                kinds[idx] = .byline
                if author == nil { author = a }
                if d.year != nil {
                    if titleLine == nil { preTitleDate = preTitleDate ?? d } else { postTitleDate = postTitleDate ?? d }
                }
            case .footer(let s):
                kinds[idx] = .footer
                if footerSource == nil { footerSource = s }
            case .caption:
                kinds[idx] = .caption
            case .boilerplate:
                kinds[idx] = .boilerplate
            case .outlet(let name):
                kinds[idx] = .outlet
                if outlet == nil { outlet = name }
            case .author(let name):
                kinds[idx] = .author
                if author == nil { author = name }
            case nil:
                if inHeader {
                    let canonical = table.canonicalString(line)
                    if titleLine == nil && LineClassifier.isHeadlineLike(canonical) {
                        titleLine = idx
                        titleIsCaps = LineClassifier.isMostlyUppercase(canonical)
                        kinds[idx] = .title
                        continue
                    }
                    // Blogs that repost an article put their own ALL-CAPS header above the
                    // article's headline (seed 002: "HAI NGOẠI TRƯỞNG ... (VOA Tiếng Việt)" over
                    // "Hai ngoại trưởng Mỹ, Việt chủ trì ..."). The mixed-case line is the
                    // headline as the outlet printed it, so it wins; the caps line is page chrome.
                    if let t = titleLine, titleIsCaps, LineClassifier.isHeadlineLike(canonical),
                        !LineClassifier.isMostlyUppercase(canonical)
                    {
                        kinds[t] = .blogHeader
                        titleLine = idx
                        titleIsCaps = false
                        kinds[idx] = .title
                        continue
                    }
                    inHeader = false
                }
                kinds[idx] = .body
            }
        }

        // A name alone on the last content line signs the article.
        var authorLine: Int?
        for idx in table.lines.indices.reversed() {
            switch kinds[idx] {
            case .blank, .boilerplate, .footer, .junk, .url, .image, .date, .outlet, .caption:
                continue
            case .body:
                let bodyCount = kinds.lazy.filter { $0 == .body }.count
                if bodyCount >= 2 && LineClassifier.isNameLine(table.canonicalString(table.lines[idx])) {
                    authorLine = idx
                }
            default:
                break
            }
            break
        }
        if let a = authorLine {
            kinds[a] = .author
            if author == nil { author = Inline.collapse(table.contentBytes(table.lines[a])) }
        }

        var bodyLines = kinds.indices.filter { kinds[$0] == .body }
        let quotes = PullQuotes.find(in: table, body: bodyLines)
        if !quotes.isEmpty {
            for q in quotes { kinds[q] = .pullQuote }
            bodyLines.removeAll { quotes.contains($0) }
        }

        var title: String?
        var titleDerived = false
        if let t = titleLine {
            title = Inline.collapse(table.contentBytes(table.lines[t]))
        } else if let first = bodyLines.first {
            title = TitleDeriver.derive(from: Inline.collapse(table.contentBytes(table.lines[first])))
            titleDerived = true
        }

        var wordCount = 0
        table.canonical.withUnsafeBufferPointer { c in
            for idx in bodyLines {
                wordCount += 1
                for k in table.lines[idx].canonicalRange where c[k] == 0x20 { wordCount += 1 }
            }
        }
        let languageLines = bodyLines.isEmpty ? table.lines.indices.filter { !table.lines[$0].isBlank } : bodyLines
        let article = Article(
            title: title,
            titleDerived: titleDerived,
            published: (postTitleDate ?? preTitleDate)?.iso,
            author: author,
            source: outlet ?? footerSource ?? WireDateline.source(table, bodyLines: bodyLines),
            url: url,
            images: images,
            captions: kinds.indices.filter { kinds[$0] == .caption }.map {
                Inline.collapse(table.contentBytes(table.lines[$0]))
            },
            body: bodyLines.map { table.contentString(table.lines[$0]) },
            language: LanguageDetector.detect(table, lines: languageLines),
            wordCount: wordCount)
        return Analysis(article: article, table: table, kinds: kinds, bodyLines: bodyLines)
    }
}

/// Wire-service datelines: `WASHINGTON, March 25 (Reuters) - ...` names the source.
enum WireDateline {
    static let agencies: Set<String> = [
        "reuters", "ap", "afp", "bloomberg", "upi", "xinhua", "kyodo", "yonhap", "ttxvn", "vna", "dpa",
        "ansa", "efe", "tass", "ria novosti", "sputnik", "cna", "bernama", "antara", "pti", "ani",
    ]

    /// The agency named in parentheses just before the dash that ends the first paragraph's
    /// dateline (looked for in its first 160 bytes).
    static func source(_ table: LineTable, bodyLines: [Int]) -> String? {
        guard let first = bodyLines.first else { return nil }
        let head = table.canonicalBytes(table.lines[first]).prefix(160)
        for dash in dashes {
            guard let at = LineClassifier.firstOccurrence(of: dash, in: head) else { continue }
            let before = head[..<at]
            guard before.last == 0x29, let open = before.lastIndex(of: 0x28) else { continue }
            let name = String(decoding: before[(open + 1)..<(before.endIndex - 1)], as: UTF8.self)
            if agencies.contains(TextKey.key(name)) { return name }
        }
        return nil
    }

    private static let dashes: [[UInt8]] = [" - ", " – ", " — "].map { Array($0.utf8) }
}

