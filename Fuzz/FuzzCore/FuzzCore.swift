// libFuzzer target over InboxCore: decode → normalize → parse → hash (docs/reliability.md).
//
// Built two ways from this one file:
// - `Fuzz/run.sh` (make fuzz / fuzz-smoke) adds `-sanitize=fuzzer,address -DFUZZING`: `main` hands
//   control to libFuzzer's driver (`LLVMFuzzerRunDriver`), which calls `LLVMFuzzerTestOneInput`.
// - The plain `swift build` builds it without sanitizers: then it is a replay tool that runs the
//   files (or folders of files) named on its command line through the same checks, e.g.
//   `swift run FuzzCore out/fuzz/artifacts/crash-...` to reproduce a finding without libFuzzer.
//
// SwiftPM links every executable with `main` aliased to the module's `@main` entry point, so an
// executable target cannot simply leave `main` to libFuzzer; calling its driver from `@main`
// keeps the target an ordinary executable in both builds.
import InboxCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Stops with a message; libFuzzer (or the replay loop) reports it as a crash.
func violated(_ what: String, _ bytes: [UInt8]) -> Never {
    fatalError("FuzzCore invariant violated (\(bytes.count) bytes): \(what)")
}

/// One input through the whole pipeline, checking what InboxCore documents beyond "no crash".
func check(_ bytes: [UInt8]) {
    let decoded = Result<(text: String, encoding: TextEncoding), Rejection> { () throws(Rejection) in
        try TextDecoder.decode(bytes)
    }
    let processed = Result<ProcessedArticle, Rejection> { () throws(Rejection) in
        try ArticlePipeline.process(bytes)
    }
    if bytes.count > IngestLimits.default.maxBytes {
        // Only reachable in replay (libFuzzer inputs are capped by -max_len).
        guard case .failure(.tooLarge) = processed else { violated("an oversize file was not rejected as too_large", bytes) }
        return
    }
    switch (decoded, processed) {
    case (.failure(let d), .failure(let p)):
        // Inputs are far below the 10 MiB default, so the pipeline rejects exactly as decode does.
        if d != p { violated("decode rejects with \(d.code), the pipeline with \(p.code)", bytes) }
        _ = p.description
    case (.success, .failure(let p)):
        violated("decode accepts, the pipeline rejects: \(p)", bytes)
    case (.failure(let d), .success):
        violated("decode rejects (\(d)), the pipeline accepts", bytes)
    case (.success(let (text, encoding)), .success(let p)):
        let article = p.article
        if p.encoding != encoding { violated("encoding \(p.encoding) vs decode's \(encoding)", bytes) }
        if p.byteCount != bytes.count { violated("byteCount \(p.byteCount)", bytes) }
        if ContentHash(hex: p.contentHash.hex) == nil { violated("content hash \(p.contentHash.hex)", bytes) }
        if ContentHash(hex: p.rawHash) == nil { violated("raw hash \(p.rawHash)", bytes) }
        if !["vi", "en", "und"].contains(article.language) { violated("language \(article.language)", bytes) }
        // The in-place UTF-8 path and the String path agree (ArticleParser.parse, ContentHash.of).
        // Byte-wise: String's == is canonical equivalence and would hide a missed NFC.
        if utf8Fields(ArticleParser.parse(text)) != utf8Fields(article) {
            violated("parse(decoded text) differs from the pipeline's article", bytes)
        }
        if ContentHash.of(article, text: text) != p.contentHash {
            violated("ContentHash.of(article, text:) differs from the pipeline's hash", bytes)
        }
        // Display form is NFC (checked against the standard library's normalizer).
        for field in [article.title, article.author, article.source].compactMap({ $0 }) + article.body + article.captions
        where !field.utf8.elementsEqual(field._nfcCodeUnits) {
            violated("not NFC: \(field.unicodeScalars.map { String($0.value, radix: 16) })", bytes)
        }
        // Body paragraphs are non-blank single lines; the canonical form is a fixed point.
        for paragraph in article.body where paragraph.isEmpty || paragraph.utf8.contains(0x0A) {
            violated("body paragraph \(paragraph.debugDescription)", bytes)
        }
        let canonical = Normalizer.canonical(text)
        if Normalizer.canonical(canonical) != canonical { violated("Normalizer.canonical is not idempotent", bytes) }
        _ = Normalizer.display(text)
        _ = Normalizer.searchKey(article.title ?? "")
    }
}

/// Every field of `a` as bytes, for a comparison that sees code points, not canonical equivalence.
func utf8Fields(_ a: Article) -> [[UInt8]] {
    let optionals: [String?] = [a.title, a.published, a.author, a.source, a.url, a.language, "\(a.titleDerived) \(a.wordCount)"]
    var out: [[UInt8]] = optionals.map { s -> [UInt8] in s.map { Array($0.utf8) } ?? [0xFF] }
    for list in [a.images, a.captions, a.body] {
        out.append([0xFE])
        out += list.map { Array($0.utf8) }
    }
    return out
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 || data == nil ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    check(bytes)
    return 0
}

#if FUZZING
/// libFuzzer's driver (compiler-rt, linked by `-sanitize=fuzzer`): parses the libFuzzer flags
/// and runs the fuzzing loop, calling `callback` for each input.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
) -> CInt

@main
enum FuzzMain {
    static func main() {
        var argc = CommandLine.argc
        var argv = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzOneInput))
    }
}
#else
@main
enum ReplayMain {
    static func main() {
        let paths = CommandLine.arguments.dropFirst()
        if paths.isEmpty || paths.contains(where: { $0 == "-h" || $0 == "--help" }) {
            print("usage: FuzzCore FILE-OR-DIR... (replays inputs; Fuzz/run.sh builds the libFuzzer target)")
            exit(paths.isEmpty ? 2 : 0)
        }
        var count = 0
        for path in paths {
            for file in files(at: path) {
                guard let bytes = readFile(file) else {
                    print("FuzzCore: cannot read \(file)")
                    exit(1)
                }
                check(bytes)
                count += 1
            }
        }
        print("FuzzCore: \(count) input(s) passed")
    }

    /// `path` itself, or the regular files directly in it when it is a folder.
    static func files(at path: String) -> [String] {
        guard let dir = opendir(path) else { return [path] }
        defer { closedir(dir) }
        var out: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            var st = stat()
            let full = path + "/" + name
            if stat(full, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG { out.append(full) }
        }
        return out.sorted()
    }

    static func readFile(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { fread($0.baseAddress, 1, $0.count, f) }
            if n > 0 { bytes += chunk[..<n] }
            if n < chunk.count { return ferror(f) == 0 ? bytes : nil }
        }
    }
}
#endif
