import InboxCore
import InboxStore

extension ArticleDraft {
    /// The store's view of a parsed file: the pipeline's result plus where it came from.
    init(processed: ProcessedArticle, sourceFile: String, archivedAs: String, ingestedAt: String) {
        let article = processed.article
        self.init(
            contentHash: processed.contentHash.hex, hashVersion: ContentHash.version, rawHash: processed.rawHash,
            title: article.title, titleDerived: article.titleDerived, published: article.published,
            author: article.author, source: article.source, url: article.url, language: article.language,
            wordCount: article.wordCount, images: article.images, captions: article.captions, body: article.body,
            encoding: processed.encoding.rawValue, bytes: processed.byteCount, sourceFile: sourceFile,
            archivedAs: archivedAs, ingestedAt: ingestedAt)
    }
}
