import CLinux
import Glibc
import InboxCore
import InboxWatcher

/// Why a file was turned away before or instead of parsing: written next to it as `.reason.json`.
public struct RejectReason: Sendable, Equatable {
    public var code: String
    public var message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    init(_ rejection: Rejection) { self.init(code: rejection.code, message: rejection.message) }
}

/// Reads inbox entries without ever following a link or blocking on a FIFO or device.
struct InboxFileReader: Sendable {
    enum Outcome: Sendable {
        /// The content (never more than `limits.maxBytes`), and which file it was read from (a
        /// name can be replaced under the daemon).
        case bytes([UInt8], FileIdentity)
        case vanished
        case rejected(RejectReason)
        /// The daemon itself is short of descriptors or memory: not the file's fault, so it stays
        /// in the inbox and is read again later (rejecting it would turn a passing shortage into a verdict).
        case deferred(String)
    }

    let inbox: String
    let limits: IngestLimits
    /// Asked once: a process's effective uid does not change under it, and asking per file was
    /// one system call in eight.
    let euid = geteuid()

    /// The whole content of a regular file, or why it cannot be taken.
    ///
    /// `lstat` first so a FIFO or device is never even opened (opening some devices has effects);
    /// then `O_NOFOLLOW | O_NONBLOCK` and `fstat` on the descriptor, which closes the race where
    /// the name is swapped for a link between the two calls.
    func read(_ name: String) -> Outcome {
        var st = stat()
        let found = FileName.withCString(directory: inbox, name: name) { lstat($0, &st) == 0 }
        if !found { return errno == ENOENT ? .vanished : Self.failure(errno) }
        if let reason = Self.rejectType(st.st_mode) { return .rejected(reason) }
        if let rejection = sizeRejection(Int(st.st_size)) { return .rejected(rejection) }

        // O_NOATIME: the first read of a freshly written file would otherwise update its atime
        // (relatime), dirtying the inode once more. Only the owner (or root) may ask for it; asking
        // for another user's file fails with EPERM, so that open is retried without it.
        var flags = O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC
        if euid == 0 || st.st_uid == euid { flags |= INBOXD_O_NOATIME }
        var fd = FileName.withCString(directory: inbox, name: name) { open($0, flags) }
        if fd < 0 && errno == EPERM && flags & INBOXD_O_NOATIME != 0 {
            fd = FileName.withCString(directory: inbox, name: name) { open($0, flags & ~INBOXD_O_NOATIME) }
        }
        if fd < 0 {
            let code = errno
            if code == ENOENT { return .vanished }
            if code == ELOOP { return .rejected(Self.rejectType(S_IFLNK)!) }
            return Self.failure(code)
        }
        defer { close(fd) }
        guard fstat(fd, &st) == 0 else { return Self.failure(errno) }
        if let reason = Self.rejectType(st.st_mode) { return .rejected(reason) }
        if let rejection = sizeRejection(Int(st.st_size)) { return .rejected(rejection) }
        return readAll(fd, expected: Int(st.st_size), identity: FileIdentity(st))
    }

    private func sizeRejection(_ size: Int) -> RejectReason? {
        do { try TextDecoder.checkSize(size, limits: limits) } catch { return RejectReason(error) }
        return nil
    }

    /// Reads to EOF but never more than the limit, so a file still growing cannot pin memory.
    /// The buffer is one byte larger than `fstat` said, so a file that grew meanwhile fills it and
    /// is read on. It is not zeroed first: the kernel writes every byte that is kept.
    private func readAll(_ fd: Int32, expected: Int, identity: FileIdentity) -> Outcome {
        let capacity = max(expected, 0) + 1
        var failure: Int32 = 0
        var data = [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
            initialized = Self.readAvailable(fd, into: buffer.baseAddress!, capacity: capacity, failure: &failure)
        }
        if failure != 0 { return Self.failure(failure) }
        // Full: it grew since `fstat`. Read on in steps, never past the limit.
        var grown = data.count == capacity
        while grown {
            let count = data.count
            if count > limits.maxBytes { return .rejected(sizeRejection(count) ?? Self.unreadable(EFBIG)) }
            let step = min(max(count, 4096), limits.maxBytes + 1 - count + 1)
            data.append(contentsOf: [UInt8](repeating: 0, count: step))
            let n = data.withUnsafeMutableBytes { Self.readAvailable(fd, into: $0.baseAddress! + count, capacity: step, failure: &failure) }
            if failure != 0 { return Self.failure(failure) }
            data.removeSubrange((count + n)...)
            grown = n == step
        }
        if let rejection = sizeRejection(data.count) { return .rejected(rejection) }
        return .bytes(data, identity)
    }

    /// Reads until `capacity` bytes are in or the file ends; a short read of a regular file is
    /// its end, so no second call is made just to be told so. Returns the bytes read.
    private static func readAvailable(_ fd: Int32, into base: UnsafeMutableRawPointer, capacity: Int, failure: inout Int32) -> Int {
        var count = 0
        while count < capacity {
            let n = Glibc.read(fd, base + count, capacity - count)
            if n < 0 {
                if errno == EINTR { continue }
                failure = errno
                return count
            }
            if n == 0 { break }
            count += n
            if count < capacity { break }
        }
        return count
    }

    static func rejectType(_ mode: mode_t) -> RejectReason? {
        switch mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFLNK:
            return RejectReason(code: "symlink", message: "symbolic links are never followed; drop the file itself, not a link to it")
        case S_IFIFO:
            return RejectReason(code: "not_regular_file", message: "a FIFO (named pipe) is not a file; write the article to a regular file")
        case S_IFSOCK:
            return RejectReason(code: "not_regular_file", message: "a socket is not a file; write the article to a regular file")
        case S_IFCHR, S_IFBLK:
            return RejectReason(code: "not_regular_file", message: "a device node is not a file; write the article to a regular file")
        default:
            return RejectReason(code: "not_regular_file", message: "not a regular file")
        }
    }

    /// A failed call on the file: the daemon's own shortage is deferred, anything else rejects the file.
    static func failure(_ code: Int32) -> Outcome {
        switch code {
        case EMFILE, ENFILE, ENOMEM:
            return .deferred("cannot read inbox files: \(String(cString: strerror(code))); they stay in the inbox and are retried")
        default:
            return .rejected(unreadable(code))
        }
    }

    static func unreadable(_ code: Int32) -> RejectReason {
        RejectReason(code: "unreadable", message: "cannot read the file: \(String(cString: strerror(code))); check its permissions and retry")
    }
}
