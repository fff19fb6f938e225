import CLinux
import Glibc

/// An inotify watch on one folder (the inbox), read without a timer: the owner polls `fd`.
///
/// Not thread-safe: owned by the ingest loop, which is the only reader of the descriptor.
public final class InotifyWatcher {
    /// The descriptor to poll for readability (non-blocking, close-on-exec).
    public let fd: Int32
    public let path: String
    private var watch: Int32 = -1
    private var buffer = [UInt8](repeating: 0, count: 64 * 1024)

    static let mask: UInt32 = UInt32(IN_CLOSE_WRITE) | UInt32(IN_MOVED_TO) | UInt32(IN_CREATE)
        | UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF) | UInt32(IN_ONLYDIR) | UInt32(IN_EXCL_UNLINK)

    /// Creates the inotify instance and adds the watch on `path`.
    /// - Throws: `WatcherError` when inotify is unavailable or the folder cannot be watched.
    public init(path: String) throws(WatcherError) {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw WatcherError(operation: "inotify_init1", path: path, errno: errno) }
        self.fd = fd
        self.path = path
        do { try addWatch() } catch {
            close(fd)
            throw error
        }
    }

    deinit { close(fd) }

    /// (Re-)adds the watch, e.g. after the inbox was deleted and recreated.
    public func addWatch() throws(WatcherError) {
        let wd = inotify_add_watch(fd, path, Self.mask)
        guard wd >= 0 else { throw WatcherError(operation: "inotify_add_watch", path: path, errno: errno) }
        watch = wd
    }

    /// Reads every event available now (never blocks) and returns them in kernel order.
    public func drain() -> [InboxEvent] {
        var events: [InboxEvent] = []
        while true {
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                break  // EAGAIN: nothing more right now
            }
            if n == 0 { break }
            buffer.withUnsafeBytes { raw in parse(raw, count: n, into: &events) }
        }
        return events
    }

    private func parse(_ raw: UnsafeRawBufferPointer, count: Int, into events: inout [InboxEvent]) {
        let headerSize = MemoryLayout<inotify_event>.size
        var offset = 0
        while offset + headerSize <= count {
            let wd = raw.loadUnaligned(fromByteOffset: offset, as: Int32.self)
            let mask = raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
            let nameLength = Int(raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            let nameStart = offset + headerSize
            var name = ""
            if nameLength > 0, nameStart + nameLength <= count {
                let bytes = UnsafeRawBufferPointer(rebasing: raw[nameStart..<(nameStart + nameLength)])
                let end = bytes.firstIndex(of: 0) ?? bytes.count
                name = String(decoding: bytes[0..<end], as: UTF8.self)
                if name.utf8.count != end { name = Self.rawName(bytes[0..<end]) }
            }
            offset = nameStart + nameLength
            if let event = classify(mask: mask, wd: wd, name: name) { events.append(event) }
        }
    }

    /// Names that are not valid UTF-8 are kept byte for byte through a lossless mapping.
    static func rawName(_ bytes: UnsafeRawBufferPointer.SubSequence) -> String {
        FileName.fromBytes(Array(bytes))
    }

    private func classify(mask: UInt32, wd: Int32, name: String) -> InboxEvent? {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 { return .overflow }
        if mask & (UInt32(IN_DELETE_SELF) | UInt32(IN_MOVE_SELF) | UInt32(IN_IGNORED)) != 0 {
            // IN_IGNORED also follows our own inotify_rm_watch; only the current watch matters.
            return wd == watch ? .inboxGone : nil
        }
        guard !name.isEmpty else { return nil }
        let isDirectory = mask & UInt32(IN_ISDIR) != 0
        if isDirectory {
            return mask & (UInt32(IN_CREATE) | UInt32(IN_MOVED_TO)) != 0 ? .directory(name) : nil
        }
        if mask & UInt32(IN_CREATE) != 0 {
            // A regular file announces itself again on close; anything else never will. Nor will a
            // new hard link (`ln file inbox/`): a finished file that nobody opens here, so it is
            // taken now, like a file renamed in.
            if Self.isNewHardLink(dirPath: path, name: name) { return InboxNames.isCandidate(name) ? .file(name) : nil }
            return Self.isRegularOrGone(dirPath: path, name: name) ? nil : .special(name)
        }
        guard InboxNames.isCandidate(name) else { return nil }
        return .file(name)
    }

    /// A regular file with more than one name when it appears: linked in, not being written.
    static func isNewHardLink(dirPath: String, name: String) -> Bool {
        var st = stat()
        let found = FileName.withCString(directory: dirPath, name: name) { lstat($0, &st) == 0 }
        return found && (st.st_mode & S_IFMT) == S_IFREG && st.st_nlink > 1
    }

    static func isRegularOrGone(dirPath: String, name: String) -> Bool {
        var st = stat()
        let found = FileName.withCString(directory: dirPath, name: name) { lstat($0, &st) == 0 }
        return !found || (st.st_mode & S_IFMT) == S_IFREG
    }
}
