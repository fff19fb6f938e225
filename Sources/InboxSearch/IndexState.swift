/// Everything the index holds; lives inside the ``SearchIndex`` mutex.
struct IndexState: Sendable {
    /// Term → index into `postings`.
    var termNumbers: [String: UInt32] = [:]
    var postings: [PostingList] = []
    /// Document number → caller's id, and back.
    var ids: [String] = []
    var documentNumbers: [String: UInt32] = [:]
    /// Field-weighted length of each document (see ``AnalyzedDocument``), by document number.
    var lengths = AppendOnlyArray<UInt32>(initialCapacity: 1024)
    var totalLength: UInt64 = 0
    /// Running total of allocated posting, skip and length storage.
    var storageBytes = 4096
    /// Running total of term and id key bytes stored out of line.
    var keyBytes = 0

    /// Adds an analyzed document under a new number.
    mutating func append(_ document: AnalyzedDocument, id: String) {
        let number = UInt32(ids.count)
        ids.append(id)
        documentNumbers[id] = number
        keyBytes += Self.outOfLineBytes(id)
        storageBytes += lengths.append(document.length)
        totalLength += UInt64(document.length)
        for (term, tf) in document.terms {
            let t: Int
            if let existing = termNumbers[term] {
                t = Int(existing)
            } else {
                t = postings.count
                termNumbers[term] = UInt32(t)
                postings.append(PostingList())
                storageBytes += postings[t].allocatedBytes
                keyBytes += Self.outOfLineBytes(term)
            }
            storageBytes += postings[t].append(document: number, tf: tf)
        }
    }

    /// Approximate heap bytes: storage plus per-entry overheads of the arrays, dictionaries
    /// (hash tables at ~75% load) and buffer objects (malloc headers included).
    var memoryBytes: Int {
        let termEntry = MemoryLayout<PostingList>.stride + 48 + (16 + 4) * 4 / 3 + 1
        let docEntry = 16 + (16 + 4) * 4 / 3 + 1
        return storageBytes + keyBytes + postings.count * termEntry + ids.count * docEntry
    }

    /// Native strings of up to 15 UTF-8 bytes are stored inline; longer ones take a heap object.
    private static func outOfLineBytes(_ s: String) -> Int {
        let n = s.utf8.count
        return n <= 15 ? 0 : 32 + n + 1
    }
}

/// A document reduced to what the index stores: each distinct term with its field-weighted
/// frequency, and the field-weighted length.
///
/// Weights: a title occurrence counts ``titleWeight`` times, author, source and body ones once.
/// This is BM25F with integer weights, so the postings store one number per document.
struct AnalyzedDocument: Sendable {
    static let titleWeight: UInt32 = 3

    var terms: [(String, UInt32)]
    var length: UInt32

    init(_ document: SearchDocument) {
        var counts: [String: UInt32] = [:]
        var length: UInt32 = 0
        func add(_ text: String?, weight: UInt32) {
            guard let text, !text.isEmpty else { return }
            Tokenizer.forEachTerm(ofKey: Tokenizer.key(text)) { term in
                counts[term, default: 0] &+= weight
                length &+= weight
            }
        }
        add(document.title, weight: Self.titleWeight)
        add(document.author, weight: 1)
        add(document.source, weight: 1)
        for paragraph in document.body { add(paragraph, weight: 1) }
        terms = Array(counts)
        self.length = length
    }
}
