// CoreBench: throughput of ArticlePipeline.process on a folder of files, one thread.
//
//   CoreBench DIR [PASSES] [--digest]
//
// Loads every regular file in DIR into memory first (file I/O is not measured), then runs
// ArticlePipeline.process on all of them PASSES times (default 3) and prints one JSON line:
// {"files":N,"bytes":B,"passes":P,"seconds":S,"cpu_seconds":C,"mb_per_s":...,"articles_per_s":...,"rejected":R}
// where B is the bytes of one pass, S the wall time of all passes (C the process CPU time, a
// steadier figure on a busy machine), MB = 10^6 bytes, rates from S, and rejected counts files
// refused (they still count as processed). --digest adds "digest": an FNV-1a hash of every result
// in full (each article's every field, or the rejection), from one more untimed pass: two builds
// that print the same digest parsed the folder identically.
import Foundation
import InboxCore

let wantsDigest = CommandLine.arguments.contains("--digest")
let args = CommandLine.arguments.filter { $0 != "--digest" }
guard args.count >= 2 else {
    FileHandle.standardError.write(Data("usage: CoreBench DIR [PASSES] [--digest]\n".utf8))
    exit(2)
}
let dir = URL(fileURLWithPath: args[1])
let passes = args.count >= 3 ? max(1, Int(args[2]) ?? 3) : 3
let names = ((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []).sorted()
var inputs: [[UInt8]] = []
for name in names {
    let url = dir.appendingPathComponent(name)
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue,
        let data = FileManager.default.contents(atPath: url.path)
    else { continue }
    inputs.append([UInt8](data))
}
let bytes = inputs.reduce(0) { $0 + $1.count }
let limits = IngestLimits(maxBytes: Int.max)

func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

var rejected = 0
var checksum: UInt8 = 0
let cpuStart = cpuSeconds()
let start = ContinuousClock.now
for _ in 0..<passes {
    rejected = 0
    for input in inputs {
        do {
            let p = try ArticlePipeline.process(input, limits: limits)
            checksum ^= p.contentHash.hex.utf8.first ?? 0
        } catch {
            rejected += 1
        }
    }
}
let elapsed = ContinuousClock.now - start
let cpu = cpuSeconds() - cpuStart
let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
let total = Double(bytes * passes)
var digest = ""
if wantsDigest {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for input in inputs {
        let text: String
        do {
            text = String(describing: try ArticlePipeline.process(input, limits: limits))
        } catch {
            text = String(describing: error)
        }
        for byte in text.utf8 + [0x0A] { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
    }
    digest = ",\"digest\":\"\(String(hash, radix: 16))\""
}
let line = String(
    format: "{\"files\":%d,\"bytes\":%d,\"passes\":%d,\"seconds\":%.3f,\"cpu_seconds\":%.3f,\"mb_per_s\":%.1f,\"articles_per_s\":%.0f,\"rejected\":%d}",
    inputs.count, bytes, passes, seconds, cpu, total / seconds / 1e6, Double(inputs.count * passes) / seconds, rejected)
print(wantsDigest ? String(line.dropLast()) + digest + "}" : line)
if checksum == 0xFF { FileHandle.standardError.write(Data("\n".utf8)) }  // keep the work observable
