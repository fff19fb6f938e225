/// Bytes of one inbox file in, a ``ProcessedArticle`` or a ``Rejection`` out.
public enum ArticlePipeline {
    /// Size check, decoding, normalization, parsing and hashing of one file, in memory.
    ///
    /// - Throws: ``Rejection/tooLarge(size:limit:)`` when `bytes.count` exceeds
    ///   `limits.maxBytes`; otherwise whatever ``TextDecoder/decode(_:)`` throws (`empty`,
    ///   `whitespaceOnly`, `binary`, `undecodable`).
    public static func process(_ bytes: [UInt8], limits: IngestLimits = .default) throws(Rejection) -> ProcessedArticle {
        try TextDecoder.checkSize(bytes.count, limits: limits)  // before hashing what would be refused anyway
        return try process(bytes, rawHash: rawHash(of: bytes), limits: limits)
    }

    /// Lowercase hex SHA-256 of a file's bytes: the identity of an exact duplicate, known before
    /// any parsing (a file whose bytes are already on record need not be parsed again).
    public static func rawHash(of bytes: [UInt8]) -> String {
        ContentHash.sha256Hex(bytes)
    }

    /// As ``process(_:limits:)``, with the raw hash already computed by ``rawHash(of:)``.
    public static func process(_ bytes: [UInt8], rawHash: String, limits: IngestLimits = .default) throws(Rejection) -> ProcessedArticle {
        try TextDecoder.checkSize(bytes.count, limits: limits)
        // UTF-8 input (nearly all of it) is scanned straight from the caller's bytes: no String
        // is built for the whole text unless it has to be composed to NFC first.
        let result: Result<(ArticleParser.Analysis, TextEncoding), Rejection> = bytes.withUnsafeBufferPointer { all in
            TextDecoder.decodeInPlace(all).map { decoded in
                switch decoded {
                case .utf8(let range, let encoding, let mightNeedNFC):
                    let p = UnsafeBufferPointer(rebasing: all[range])
                    if mightNeedNFC {
                        let table = Composition.composed(p).withUnsafeBufferPointer { LineScanner.scan(utf8: $0) }
                        return (ArticleParser.analyze(table: table), encoding)
                    }
                    return (ArticleParser.analyze(table: LineScanner.scan(utf8: p)), encoding)
                case .text(let text, let encoding):
                    return (ArticleParser.analyze(text), encoding)
                }
            }
        }
        let (analysis, encoding) = try result.get()
        return ProcessedArticle(
            article: analysis.article,
            contentHash: ContentHash.of(analysis.table, bodyLines: analysis.bodyLines),
            rawHash: rawHash,
            encoding: encoding,
            byteCount: bytes.count)
    }
}
