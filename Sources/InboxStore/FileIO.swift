import Glibc

/// Thin wrappers over the POSIX calls the store needs: retried on EINTR, failing with a `StoreError` that names
/// the path and errno.
enum FileIO {
    static func open(_ path: String, flags: Int32, mode: mode_t = 0o640) throws(StoreError) -> Int32 {
        while true {
            let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
            if fd >= 0 { return fd }
            let code = errno
            if code == EINTR { continue }
            throw .io(operation: "open", path: path, errno: code)
        }
    }

    /// Opens `path` read-write, creating it if missing; `created` says whether it was created (the caller then
    /// fsyncs the folder).
    static func openOrCreate(_ path: String) throws(StoreError) -> (fd: Int32, created: Bool) {
        while true {
            let fd = Glibc.open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
            if fd >= 0 { return (fd, true) }
            let code = errno
            if code == EINTR { continue }
            if code == EEXIST { return (try open(path, flags: O_RDWR), false) }
            throw .io(operation: "create", path: path, errno: code)
        }
    }

    static func size(_ fd: Int32, path: String) throws(StoreError) -> UInt64 {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw .io(operation: "fstat", path: path, errno: errno) }
        return UInt64(info.st_size)
    }

    /// Reads up to `buffer.count` bytes at `offset`; fewer only at end of file.
    static func pread(
        _ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, offset: UInt64, path: String
    ) throws(StoreError) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = Glibc.pread(fd, base + done, buffer.count - done, off_t(offset) + off_t(done))
            if n > 0 {
                done += n
            } else if n == 0 {
                break
            } else {
                let code = errno
                if code == EINTR { continue }
                throw .io(operation: "pread", path: path, errno: code)
            }
        }
        return done
    }

    static func pread(_ fd: Int32, count: Int, offset: UInt64, path: String) throws(StoreError) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: count)
        let n = try result.withUnsafeMutableBytes { buffer in
            Result { () throws(StoreError) in try pread(fd, into: buffer, offset: offset, path: path) }
        }.get()
        if n < count { result.removeLast(count - n) }
        return result
    }

    static func pwriteAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, offset: UInt64, path: String) throws(StoreError) {
        guard let base = bytes.baseAddress else { return }
        var done = 0
        while done < bytes.count {
            let n = Glibc.pwrite(fd, base + done, bytes.count - done, off_t(offset) + off_t(done))
            if n >= 0 {
                done += n
            } else {
                let code = errno
                if code == EINTR { continue }
                throw .io(operation: "write", path: path, errno: code)
            }
        }
    }

    static func pwriteAll(_ fd: Int32, _ bytes: [UInt8], offset: UInt64, path: String) throws(StoreError) {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(StoreError) in try pwriteAll(fd, buffer, offset: offset, path: path) }
        }.get()
    }

    /// fdatasync: data plus the metadata needed to read it back (the file size); enough for appends.
    static func syncData(_ fd: Int32, path: String) throws(StoreError) {
        while fdatasync(fd) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw .io(operation: "fdatasync", path: path, errno: code)
        }
    }

    /// fsync, used on folders after creating, renaming or removing entries in them.
    static func sync(_ fd: Int32, path: String) throws(StoreError) {
        while fsync(fd) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw .io(operation: "fsync", path: path, errno: code)
        }
    }

    static func truncate(_ fd: Int32, size: UInt64, path: String) throws(StoreError) {
        while ftruncate(fd, off_t(size)) != 0 {
            let code = errno
            if code == EINTR { continue }
            throw .io(operation: "ftruncate", path: path, errno: code)
        }
    }

    static func rename(_ from: String, to: String) throws(StoreError) {
        guard Glibc.rename(from, to) == 0 else { throw .io(operation: "rename to \(to)", path: from, errno: errno) }
    }

    static func unlink(_ path: String) throws(StoreError) {
        guard Glibc.unlink(path) == 0 else { throw .io(operation: "unlink", path: path, errno: errno) }
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)
    }

    /// Opens a folder and fsyncs it.
    static func syncDirectory(_ path: String) throws(StoreError) {
        let fd = try open(path, flags: O_RDONLY | O_DIRECTORY)
        defer { close(fd) }
        try sync(fd, path: path)
    }

    /// `mkdir -p`, fsyncing the parent of every folder it creates.
    static func makeDirectories(_ path: String) throws(StoreError) {
        var info = stat()
        if stat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFDIR else { throw .io(operation: "mkdir", path: path, errno: ENOTDIR) }
            return
        }
        let parent = parentDirectory(of: path)
        if parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o750) != 0 {
            let code = errno
            if code != EEXIST { throw .io(operation: "mkdir", path: path, errno: code) }
            return
        }
        try syncDirectory(parent)
    }

    static func parentDirectory(of path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    /// Names in a folder (without "." and ".."); empty if it cannot be read.
    static func directoryEntries(_ path: String) -> [String] {
        guard let dir = opendir(path) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Takes an exclusive advisory lock (flock), waiting up to `wait` for a holder to let go, or fails with
    /// `.locked`. The wait is for children of this very process: a child holds a copy of every descriptor from
    /// its fork until its exec closes them, and so holds the lock for that moment after the store closed it.
    static func lockExclusive(_ fd: Int32, path: String, wait: Duration) throws(StoreError) {
        let clock = ContinuousClock()
        let deadline = clock.now + wait
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            guard code == EWOULDBLOCK else { throw .io(operation: "flock", path: path, errno: code) }
            if clock.now >= deadline { throw .locked(path: path) }
            usleep(1_000)
        }
    }
}
