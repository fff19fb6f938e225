import ArgumentParser
import Foundation
import CLinux
import Glibc
import InboxAPI

struct Add: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy files into the daemon's inbox safely.",
        discussion: """
            Each file is written under a hidden temporary name in the inbox, fsync'd, then renamed
            to its final name, so the daemon never sees half a file. A name already in the inbox
            gets a suffix. Only regular files are taken.
            """
    )

    @OptionGroup var options: GlobalOptions

    @Argument(help: "The files to add.")
    var files: [String]

    func validate() throws {
        if files.isEmpty { throw ValidationError("give at least one file") }
    }

    func run() throws {
        let result = try options.get("/v1/status")
        let status = try JSONDecoder().decode(StatusResponse.self, from: Data(result.body))
        var added: [(String, String)] = []
        var failures = 0
        for file in files {
            do {
                added.append((file, try InboxCopy.copy(file, into: status.inbox)))
            } catch {
                failures += 1
                FileHandle.standardError.write(Data("inboxctl: \(file): \(error)\n".utf8))
            }
        }
        if options.json {
            let items = added.map { ["file": $0.0, "as": $0.1] }
            let data = try JSONSerialization.data(withJSONObject: ["added": items], options: [.sortedKeys, .withoutEscapingSlashes])
            printOut(String(decoding: data, as: UTF8.self))
        } else {
            for (file, name) in added { printOut("added \(file) as \(name)") }
        }
        if failures > 0 { throw ExitCode(1) }
    }
}

/// The careful producer's copy: hidden temp name in the same folder, fsync, no-clobber rename.
enum InboxCopy {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func copy(_ source: String, into inbox: String) throws -> String {
        var st = stat()
        guard stat(source, &st) == 0 else { throw Failure(description: String(cString: strerror(errno))) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw Failure(description: "not a regular file; only regular files can be added") }
        let input = open(source, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else { throw Failure(description: String(cString: strerror(errno))) }
        defer { close(input) }
        let base = URL(fileURLWithPath: source).lastPathComponent
        let temp = inbox + "/.inboxctl-\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let output = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw Failure(description: "cannot write into \(inbox): \(String(cString: strerror(errno)))") }
        var done = false
        defer {
            close(output)
            if !done { unlink(temp) }
        }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = buffer.withUnsafeMutableBytes { read(input, $0.baseAddress, $0.count) }
            if n < 0 { if errno == EINTR { continue }; throw Failure(description: String(cString: strerror(errno))) }
            if n == 0 { break }
            var offset = 0
            while offset < n {
                let w = buffer.withUnsafeBytes { write(output, $0.baseAddress! + offset, n - offset) }
                if w < 0 { if errno == EINTR { continue }; throw Failure(description: String(cString: strerror(errno))) }
                offset += w
            }
        }
        guard fsync(output) == 0 else { throw Failure(description: "fsync: \(String(cString: strerror(errno)))") }
        // RENAME_NOREPLACE never replaces an existing name: a clash is detected, not overwritten,
        // and the daemon sees the file arrive whole (IN_MOVED_TO).
        var name = base
        var counter = 0
        while inboxd_rename_noreplace(AT_FDCWD, temp, AT_FDCWD, inbox + "/" + name) != 0 {
            guard errno == EEXIST, counter < 1000 else { throw Failure(description: "cannot name it in \(inbox): \(String(cString: strerror(errno)))") }
            counter += 1
            let url = URL(fileURLWithPath: base)
            name = url.pathExtension.isEmpty ? "\(base).\(counter)" : "\(url.deletingPathExtension().lastPathComponent).\(counter).\(url.pathExtension)"
        }
        done = true
        return name
    }
}
