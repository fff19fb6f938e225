/// Everything the index holds; lives inside the ``SearchIndex`` mutex.
struct IndexState: Sendable {
    /// Term → index into `postings`.
    var terms = TermTable(minimumCapacity: 1024)
    var postings: [PostingList] = []
    /// Document number → caller's id, and back.
    var ids: [String] = []
    var documentNumbers: [String: UInt32] = [:]
    /// Field-weighted length of each document (see ``AnalyzedDocument``), by document number.
    var lengths = AppendOnlyArray<UInt32>(initialCapacity: 1024)
    var totalLength: UInt64 = 0
    /// Running total of allocated posting, skip and length storage.
    var storageBytes = 4096
    /// Running total of id bytes stored out of line.
    var idBytes = 0

    /// Adds an analyzed document under a new number.
    mutating func append(_ document: AnalyzedDocument, id: String) {
        let number = UInt32(ids.count)
        ids.append(id)
        documentNumbers[id] = number
        idBytes += Self.outOfLineBytes(id)
        storageBytes += lengths.append(document.length)
        totalLength += UInt64(document.length)
        for k in 0..<document.terms.count {
            let (t, inserted) = document.terms.withKey(k) { terms.insert($0, hash: document.terms.hashes[k]) }
            if inserted {
                postings.append(PostingList())
                storageBytes += postings[Int(t)].allocatedBytes
            }
            let positions = document.positions[Int(document.positionStarts[k])..<Int(document.positionStarts[k + 1])]
            storageBytes += postings[Int(t)].append(
                document: number, titleCount: document.titleCount[k], positions: positions)
        }
    }

    /// Looks up a query term.
    func postingList(_ term: String) -> PostingList? {
        terms.find(Array(term.utf8)).map { postings[Int($0)] }
    }

    /// Approximate heap bytes: storage plus per-entry overheads of the arrays, tables and
    /// buffer objects (malloc headers included).
    var memoryBytes: Int {
        let termEntry = MemoryLayout<PostingList>.stride + 2 * 48
        let docEntry = 16 + (16 + 4) * 4 / 3 + 1
        return storageBytes + terms.allocatedBytes + postings.count * termEntry + idBytes + ids.count * docEntry
    }

    /// Native strings of up to 15 UTF-8 bytes are stored inline; longer ones take a heap object.
    private static func outOfLineBytes(_ s: String) -> Int {
        let n = s.utf8.count
        return n <= 15 ? 0 : 32 + n + 1
    }
}

/// A document reduced to what the index stores: its distinct terms, each with its positions
/// and how many of them are in the title, and the field-weighted length.
///
/// Weights (BM25F with integer weights): a title occurrence counts ``titleWeight`` times in
/// the term frequency and the document length, author, source and body ones once.
/// Positions number the tokens of title, author, source and body paragraphs in that order,
/// skipping one number between two fields or paragraphs so that no phrase spans them.
struct AnalyzedDocument: Sendable {
    static let titleWeight: UInt32 = 3

    /// Distinct terms in order of first occurrence, and how often each occurs in the title.
    var terms = TermTable(minimumCapacity: 256)
    var titleCount: [UInt32] = []
    /// Positions of term `k` are `positions[positionStarts[k] ..< positionStarts[k + 1]]`.
    var positionStarts: [Int32] = []
    var positions: [UInt32] = []
    var length: UInt32 = 0

    init(_ document: SearchDocument) {
        var list = TermList()
        var fieldEnds: [(tokens: Int, isTitle: Bool)] = []
        func add(_ text: String?, isTitle: Bool = false) {
            guard let text, !text.isEmpty else { return }
            Tokenizer.append(text, to: &list)
            fieldEnds.append((list.count, isTitle))
        }
        add(document.title, isTitle: true)
        add(document.author)
        add(document.source)
        for paragraph in document.body { add(paragraph) }

        // Term ids, weighted frequencies and positions (one number skipped between fields).
        var tokens = [Int32](repeating: 0, count: list.count)
        var tokenPositions = [UInt32](repeating: 0, count: list.count)
        var position: UInt32 = 0
        var token = 0
        list.bytes.withUnsafeBufferPointer { bytes in
            for (end, isTitle) in fieldEnds {
                while token < end {
                    let term = UnsafeBufferPointer(rebasing: bytes[list.start(token)..<Int(list.ends[token])])
                    let (k, inserted) = terms.insert(term, hash: TermTable.hash(term))
                    if inserted { titleCount.append(0) }
                    if isTitle { titleCount[Int(k)] &+= 1 }
                    length &+= isTitle ? Self.titleWeight : 1
                    tokens[token] = Int32(k)
                    tokenPositions[token] = position
                    position &+= 1
                    token += 1
                }
                position &+= 1
            }
        }

        // Group positions by term (counting sort; each group stays increasing).
        var starts = [Int32](repeating: 0, count: terms.count + 1)
        for k in tokens { starts[Int(k) + 1] += 1 }
        for k in 0..<terms.count { starts[k + 1] += starts[k] }
        var fill = starts
        positions = [UInt32](repeating: 0, count: tokens.count)
        for (i, k) in tokens.enumerated() {
            positions[Int(fill[Int(k)])] = tokenPositions[i]
            fill[Int(k)] += 1
        }
        positionStarts = starts
    }
}
