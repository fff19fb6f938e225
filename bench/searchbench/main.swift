// searchbench: build time, memory and query latency of InboxSearch.SearchIndex.
//
//   searchbench CORPUS_DIR [--documents N] [--queries Q] [--limit L] [--seed S] [--repeat R]
//               [--concurrent] [--probe QUERY]... [--slowest K]
//
// CORPUS_DIR is a make_corpus.py output folder (its files/ subfolder is used when present) or a
// folder of article files. The first N files by name (default all) are decoded and parsed with
// InboxCore (not timed), then added to one index on one thread (timed: build_seconds). Q queries
// (default 2000, fixed RNG seed) follow, each `search(limit: L)` (default 20) with `fetch`
// served from an in-memory dictionary, timed one by one (snippets and phrase checks included):
//   40% 1-3 words drawn from random positions of random documents (frequency-weighted, AND may
//       be empty), 25% 1-3 words from one random paragraph, 20% a quoted phrase of 2-3
//       consecutive words, 15% a rare term (document frequency <= 3 in a 5,000-document sample)
//       alone or with a common word. All unaccented (search keys).
// Latencies are wall time (p50_ms, p99_ms, max_ms) and the thread's CPU time (cpu_*: what the
// query costs, whatever else the machine runs). With --repeat R each query runs R times in a row
// and counts its fastest run (filters out a busy machine's noise).
// With --concurrent, a second run repeats the queries on 2 threads while another thread adds
// 10% more documents (copies with ids suffixed "#2"), and reports their latencies as
// concurrent_*. --probe times one query alone (best of 200) and shows its top hits, on stderr;
// --slowest lists the K slowest queries on stderr.
// Prints one JSON line; MB = 10^6 bytes; index_mb is SearchIndex.memoryBytes, rss_mb the
// process's VmRSS at the end (corpus text and parsed documents included), rss_index_mb the RSS
// growth over the build.
import Foundation
import InboxCore
import InboxSearch
import Synchronization

struct Options {
    var dir = ""
    var documents = Int.max
    var queries = 2000
    var limit = 20
    var seed: UInt64 = 42
    var concurrent = false
    var slowest = 0
    var repeats = 1
    var probes: [String] = []

    static func parse(_ args: [String]) -> Options? {
        var o = Options()
        var rest = args.dropFirst()
        while let a = rest.popFirst() {
            switch a {
            case "--documents": o.documents = rest.popFirst().flatMap { Int($0) } ?? o.documents
            case "--queries": o.queries = rest.popFirst().flatMap { Int($0) } ?? o.queries
            case "--limit": o.limit = rest.popFirst().flatMap { Int($0) } ?? o.limit
            case "--seed": o.seed = rest.popFirst().flatMap { UInt64($0) } ?? o.seed
            case "--concurrent": o.concurrent = true
            case "--repeat": o.repeats = max(1, rest.popFirst().flatMap { Int($0) } ?? o.repeats)
            case "--probe": if let q = rest.popFirst() { o.probes.append(q) }
            case "--slowest": o.slowest = rest.popFirst().flatMap { Int($0) } ?? o.slowest
            default:
                if a.hasPrefix("-") || !o.dir.isEmpty { return nil }
                o.dir = a
            }
        }
        return o.dir.isEmpty ? nil : o
    }
}

/// SplitMix64: small, fast, deterministic.
struct RNG {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(1, n))) }
}

func words(_ text: String) -> [String] {
    Normalizer.searchKey(text).split { !($0.isLetter || $0.isNumber) }.map(String.init)
}

func seconds(_ d: Duration) -> Double {
    Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
}

func rssMB() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
        let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
    else { return 0 }
    let kb = Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
    return kb * 1024 / 1e6
}

/// CPU time of the calling thread in ms (immune to other processes competing for the cores).
func threadCPUms() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) * 1000 + Double(ts.tv_nsec) / 1e6
}

func percentile(_ sorted: [Double], _ p: Double) -> Double {
    guard !sorted.isEmpty else { return 0 }
    return sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

func runBenchmark(_ options: Options) {
    // Load and parse (not timed).
    var dir = URL(fileURLWithPath: options.dir)
    if FileManager.default.fileExists(atPath: dir.appendingPathComponent("files").path) {
        dir = dir.appendingPathComponent("files")
    }
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted().prefix(
        options.documents)
    var documents: [SearchDocument] = []
    documents.reserveCapacity(names.count)
    for name in names {
        guard let data = FileManager.default.contents(atPath: dir.appendingPathComponent(name).path),
            let decoded = try? TextDecoder.decode([UInt8](data))
        else { continue }
        documents.append(SearchDocument(id: name, article: ArticleParser.parse(decoded.text)))
    }
    let byID = Dictionary(documents.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
    let fetch: @Sendable (String) -> SearchDocument? = { byID[$0] }

    // Build (timed).
    let rssBefore = rssMB()
    let index = SearchIndex()
    var addTimes: [Double] = []  // each add's wall time in ms
    addTimes.reserveCapacity(documents.count)
    let buildStart = ContinuousClock.now
    for d in documents {
        let t0 = ContinuousClock.now
        index.add(d)
        addTimes.append(seconds(ContinuousClock.now - t0) * 1000)
    }
    let buildSeconds = seconds(ContinuousClock.now - buildStart)
    addTimes.sort()
    let rssAfterBuild = rssMB()

    // Probes: one query timed alone, best of 200 runs, on stderr.
    for probe in options.probes {
        let q = SearchQuery.parse(probe)
        var best = Double.infinity
        var r = (total: 0, hits: [SearchHit]())
        for _ in 0..<200 {
            let c0 = threadCPUms()
            r = index.search(q, limit: options.limit, fetch: fetch)
            best = min(best, threadCPUms() - c0)
        }
        FileHandle.standardError.write(Data(String(format: "probe %@: %.3f ms, total %d\n", probe, best, r.total).utf8))
        for hit in r.hits.prefix(2) {
            FileHandle.standardError.write(Data("  \(hit.id) \(hit.score): \(hit.snippet)\n".utf8))
        }
    }

    // Queries.
    var rng = RNG(state: options.seed)
    var documentFrequency: [String: Int] = [:]
    for d in documents.prefix(5000) {
        for w in Set(([d.title ?? ""] + d.body).flatMap(words)) { documentFrequency[w, default: 0] += 1 }
    }
    let rare = documentFrequency.filter { $0.value <= 3 && $0.key.count >= 3 }.keys.sorted()
    func randomParagraphWords() -> [String] {
        for _ in 0..<20 {
            let d = documents[rng.below(documents.count)]
            guard !d.body.isEmpty else { continue }
            let w = words(d.body[rng.below(d.body.count)])
            if !w.isEmpty { return w }
        }
        return ["viet", "nam"]
    }
    var queries: [SearchQuery] = []
    for _ in 0..<options.queries {
        let kind = rng.below(100)
        let count = 1 + rng.below(3)
        var q: String
        if kind < 40 {
            q = (0..<count).map { _ in
                let w = randomParagraphWords()
                return w[rng.below(w.count)]
            }.joined(separator: " ")
        } else if kind < 65 {
            let w = randomParagraphWords()
            q = (0..<count).map { _ in w[rng.below(w.count)] }.joined(separator: " ")
        } else if kind < 85 {
            let w = randomParagraphWords()
            let n = min(w.count, 2 + rng.below(2))
            let start = rng.below(w.count - n + 1)
            q = "\"" + w[start..<(start + n)].joined(separator: " ") + "\""
        } else {
            q = rare.isEmpty ? "blinken" : rare[rng.below(rare.count)]
            if rng.below(2) == 0 {
                let w = randomParagraphWords()
                q += " " + w[rng.below(w.count)]
            }
        }
        queries.append(SearchQuery.parse(q))
    }

    func run(_ queries: ArraySlice<SearchQuery>) -> (latencies: [Double], cpu: [Double], hits: Int, empty: Int) {
        var latencies: [Double] = []
        var cpu: [Double] = []
        var hits = 0
        var empty = 0
        latencies.reserveCapacity(queries.count)
        for q in queries {
            var wall = Double.infinity
            var thread = Double.infinity
            for _ in 0..<options.repeats {
                let c0 = threadCPUms()
                let t0 = ContinuousClock.now
                let r = index.search(q, limit: options.limit, fetch: fetch)
                wall = min(wall, seconds(ContinuousClock.now - t0) * 1000)
                thread = min(thread, threadCPUms() - c0)
                hits += r.hits.count
                if r.total == 0 { empty += 1 }
            }
            latencies.append(wall)
            cpu.append(thread)
        }
        return (latencies, cpu, hits, empty)
    }

    _ = run(queries.prefix(100))  // warm up
    let result = run(queries[...])
    let sorted = result.latencies.sorted()
    let cpuSorted = result.cpu.sorted()
    let phraseCPU = queries.indices.filter { !queries[$0].phrases.isEmpty }.map { result.cpu[$0] }.sorted()
    let wordCPU = queries.indices.filter { queries[$0].phrases.isEmpty }.map { result.cpu[$0] }.sorted()
    if options.slowest > 0 {
        // Diagnostics on stderr: the slowest queries with their result counts.
        let order = result.latencies.indices.sorted { result.latencies[$0] > result.latencies[$1] }
        for k in order.prefix(options.slowest) {
            let q = queries[k]
            let r = index.search(q, limit: options.limit, fetch: fetch)
            FileHandle.standardError.write(
                Data(
                    String(
                        format: "%8.3f ms  cpu %8.3f ms  total %6d  hits %2d  words %@  phrases %@\n",
                        result.latencies[k], result.cpu[k], r.total,
                        r.hits.count, q.words.description, q.phrases.description
                    ).utf8))
        }
    }

    var json = String(
        format: "{\"documents\":%d,\"build_seconds\":%.2f,\"add_p99_ms\":%.3f,\"add_max_ms\":%.3f,\"index_mb\":%.1f,"
            + "\"bytes_per_article\":%.0f,\"rss_mb\":%.0f,\"rss_index_mb\":%.0f,\"queries\":%d,"
            + "\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f,\"mean_ms\":%.3f,"
            + "\"cpu_p50_ms\":%.3f,\"cpu_p99_ms\":%.3f,\"cpu_p99_ms_words\":%.3f,\"cpu_p99_ms_phrases\":%.3f,"
            + "\"repeat\":%d,\"empty_results\":%d",
        index.documentCount, buildSeconds, percentile(addTimes, 0.99), addTimes.last ?? 0,
        Double(index.memoryBytes) / 1e6,
        Double(index.memoryBytes) / Double(max(1, index.documentCount)), rssMB(), rssAfterBuild - rssBefore,
        queries.count,
        percentile(sorted, 0.5), percentile(sorted, 0.99), sorted.last ?? 0,
        sorted.reduce(0, +) / Double(max(1, sorted.count)), percentile(cpuSorted, 0.5), percentile(cpuSorted, 0.99),
        percentile(wordCPU, 0.99), percentile(phraseCPU, 0.99), options.repeats, result.empty / options.repeats)

    if options.concurrent {
        // Queries on two threads while a third keeps adding documents.
        let extra = documents.prefix(max(1, documents.count / 10)).map { d -> SearchDocument in
            var copy = d
            copy.id += "#2"
            return copy
        }
        let collected = Mutex<[Double]>([])
        let sendableQueries = queries
        let start = ContinuousClock.now
        let addSeconds = Mutex(0.0)
        let addLatencies = Mutex<[Double]>([])
        DispatchQueue.concurrentPerform(iterations: 3) { worker in
            if worker == 2 {
                var adds: [Double] = []
                for d in extra {
                    let t0 = ContinuousClock.now
                    index.add(d)
                    adds.append(seconds(ContinuousClock.now - t0) * 1000)
                }
                let elapsed = seconds(ContinuousClock.now - start)
                addSeconds.withLock { $0 = elapsed }
                addLatencies.withLock { $0 = adds.sorted() }
            } else {
                var local: [Double] = []
                for (k, q) in sendableQueries.enumerated() where k % 2 == worker {
                    let t0 = ContinuousClock.now
                    _ = index.search(q, limit: options.limit, fetch: fetch)
                    local.append(seconds(ContinuousClock.now - t0) * 1000)
                }
                collected.withLock { $0 += local }
            }
        }
        let c = collected.withLock { $0 }.sorted()
        let a = addLatencies.withLock { $0 }
        json += String(
            format: ",\"concurrent_added\":%d,\"concurrent_add_seconds\":%.2f,\"concurrent_add_p99_ms\":%.3f,"
                + "\"concurrent_add_max_ms\":%.3f,\"concurrent_p50_ms\":%.3f,\"concurrent_p99_ms\":%.3f,"
                + "\"concurrent_max_ms\":%.3f",
            extra.count, addSeconds.withLock { $0 }, percentile(a, 0.99), a.last ?? 0, percentile(c, 0.5),
            percentile(c, 0.99), c.last ?? 0)
    }
    print(json + "}")
}

guard let options = Options.parse(CommandLine.arguments) else {
    FileHandle.standardError.write(
        Data(
            ("usage: searchbench CORPUS_DIR [--documents N] [--queries Q] [--limit L] [--seed S] [--repeat R]"
                + " [--concurrent] [--probe QUERY]... [--slowest K]\n").utf8))
    exit(2)
}

runBenchmark(options)
