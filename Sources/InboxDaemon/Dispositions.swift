import CLinux
import Glibc
import InboxWatcher

/// A failure to move a file to its disposition, with the paths and errno.
struct DispositionError: Error, Sendable, CustomStringConvertible {
    let operation: String
    let path: String
    let errno: Int32
    var description: String { "\(operation) \(path): \(String(cString: strerror(errno)))" }
}

/// Which file a name stood for when it was read: a replaced name is a different file.
struct FileIdentity: Equatable, Sendable {
    let device: UInt64
    let inode: UInt64

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}

/// Where a file taken from the inbox goes once its record is durable.
enum Placement {
    /// Already linked there under this name before the commit; only its inbox name is left to remove.
    case linked(String, FileIdentity)
    /// A name reserved for a rename after the commit (where hard links are refused).
    case reserved(String)

    var name: String {
        switch self {
        case .linked(let name, _), .reserved(let name): name
        }
    }
}

/// The folders every input ends in, and the moves that put it there without overwriting anything.
///
/// An article or duplicate is moved in two steps: a hard link into its folder before its record is
/// committed, then the inbox name removed after. Neither takes the kernel's file-system-wide lock
/// for renames between folders (`s_vfs_rename_mutex`), which every cross-folder `rename` holds for
/// its whole length; whoever drops files into the inbox by renaming them in would otherwise queue
/// behind the daemon's own moves, one at a time. The link is also the name's reservation: it
/// fails with `EEXIST` when the name is taken, so no lookup of the name is needed first.
///
/// Not thread-safe: owned by the ingest loop.
final class Dispositions {
    enum Folder: String, CaseIterable {
        case archive, duplicates, rejected
    }

    let inbox: String
    let stateDirectory: String
    private var reserved: [Folder: Set<String>] = [:]
    private let folderPaths: [Folder: String]
    /// Whether the inbox and which folders had entries change since the last `syncFolders`.
    private var inboxTouched = false
    private var touched: Set<Folder> = []
    private var linked: Set<Folder> = []
    /// Folders where a link was refused (and files are renamed instead), and the first refusal
    /// of each not yet reported: said once per folder.
    private var refusingLinks: Set<Folder> = []
    private var unreportedRefusals: [(Folder, Int32)] = []
    private var unsyncedPaths: [String] = []

    init(inbox: String, stateDirectory: String) throws(DispositionError) {
        self.inbox = inbox
        self.stateDirectory = stateDirectory
        var paths: [Folder: String] = [:]
        for folder in Folder.allCases { paths[folder] = stateDirectory + "/" + folder.rawValue }
        folderPaths = paths
        for folder in Folder.allCases { try Self.makeDirectory(path(folder)) }
    }

    func path(_ folder: Folder) -> String { folderPaths[folder]! }

    /// A name free in `folder` (and not promised to another file of this batch): the original name,
    /// else `stem.1.ext`, `stem.2.ext`, ... A rejected file's `.reason.json` must be free too.
    /// Names are shortened to fit NAME_MAX with that suffix (the original stays in the log and reason).
    func reserveName(_ name: String, in folder: Folder) -> String {
        let room = Self.room(in: folder)
        var candidate = Self.fitted(name, counter: 0, room: room)
        var counter = 0
        while isTaken(candidate, in: folder) {
            counter += 1
            candidate = Self.fitted(name, counter: counter, room: room)
        }
        reserved[folder, default: []].insert(candidate)
        return candidate
    }

    /// Gives back a name reserved for a move that failed, so the retry can use it again.
    func release(_ name: String, in folder: Folder) {
        reserved[folder]?.remove(name)
    }

    /// Links `inbox/name` into `folder` under the original name, else `stem.1.ext`, ...: the file
    /// now has both names. A name already linked to this very file (left by a run that stopped
    /// before removing the inbox name) is taken as is. Where hard links are refused (another
    /// user's file under `fs.protected_hardlinks`, too many links, a file system without them), a
    /// name is reserved for a rename instead. Nil when the file is gone from the inbox.
    ///
    /// `base` is the name wanted in `folder` when it is not the inbox name (an archived name on record).
    func place(_ name: String, as base: String? = nil, in folder: Folder, identity: FileIdentity) throws(DispositionError) -> Placement? {
        let room = Self.room(in: folder)
        let wanted = base ?? name
        var counter = 0
        var attempts = 0
        while true {
            let candidate = Self.fitted(wanted, counter: counter, room: room)
            if reserved[folder]?.contains(candidate) == true {
                counter += 1
                continue
            }
            let rc = FileName.withCString(directory: inbox, name: name) { src in
                FileName.withCString(directory: path(folder), name: candidate) { dst in
                    linkat(AT_FDCWD, src, AT_FDCWD, dst, 0)
                }
            }
            if rc == 0 {
                linked.insert(folder)
                return .linked(candidate, identity)
            }
            let code = errno
            attempts += 1
            switch code {
            case EEXIST:
                if self.identity(of: candidate, in: folder) == identity { return .linked(candidate, identity) }
                counter += 1
            case ENOENT:
                guard sourceExists(name), attempts < 1000 else { return nil }
                try Self.makeDirectory(path(folder))
            case EPERM, EMLINK, EXDEV, EOPNOTSUPP:
                if refusingLinks.insert(folder).inserted { unreportedRefusals.append((folder, code)) }
                return .reserved(reserveName(wanted, in: folder))
            case ENOSPC, EDQUOT:
                // tmpfs counts a link against its inodes; a rename needs none, so it may still fit.
                return .reserved(reserveName(wanted, in: folder))
            default:
                // A full disk, a read-only folder...: a rename would fail the same way.
                throw DispositionError(operation: "link into \(folder.rawValue)", path: inbox + "/" + name, errno: code)
            }
            guard attempts < 1000 else {
                throw DispositionError(operation: "link into \(folder.rawValue)", path: inbox + "/" + name, errno: code)
            }
        }
    }

    enum Completion {
        /// The file is in the folder under this name, and no longer in the inbox.
        case placed(String)
        /// The file left the inbox by other means before it could be moved: the folder keeps no name for it.
        case vanished
        /// Another file was renamed over the inbox name after this one was read: the newcomer
        /// stays in the inbox for its own turn. `kept` is the folder name still holding the file
        /// that was read, nil if only the newcomer had been linked (that link is taken back).
        case replaced(kept: String?)
    }

    /// Finishes a placement once the record is durable: removes the inbox name of a linked file,
    /// renames a reserved one.
    ///
    /// The inbox name is removed only while it still names the file that was read and linked: a
    /// file renamed over it meanwhile is another input, left for its own turn. (What remains is
    /// the instant between that check and the unlink.)
    func complete(_ name: String, _ placement: Placement, in folder: Folder) throws(DispositionError) -> Completion {
        switch placement {
        case .reserved(let target):
            return try move(name, to: folder, as: target).map { .placed($0) } ?? .vanished
        case .linked(let target, let identity):
            guard let current = inboxIdentity(of: name) else {
                // Gone from the inbox by other hands after it was linked. Moved somewhere (it
                // still has another name): it is there, so the archive does not keep a second
                // name for it, as if it had left before being taken. Deleted: the link is the
                // only copy left and stays where its record says.
                guard let held = Self.entry(target, in: path(folder)), FileIdentity(held) == identity, held.st_nlink > 1 else {
                    return .placed(target)
                }
                removeLink(target, in: folder)
                return .vanished
            }
            guard current == identity else {
                let held = self.identity(of: target, in: folder)
                if held == current {
                    removeLink(target, in: folder)
                    return .replaced(kept: nil)
                }
                return .replaced(kept: held == nil ? nil : target)
            }
            let rc = FileName.withCString(directory: inbox, name: name) { unlink($0) }
            if rc != 0 && errno != ENOENT {
                throw DispositionError(operation: "unlink", path: inbox + "/" + name, errno: errno)
            }
            inboxTouched = true
            return .placed(target)
        }
    }

    /// Undoes a placement whose record was not committed: the file stays in the inbox only.
    func withdraw(_ placement: Placement, in folder: Folder) {
        switch placement {
        case .reserved(let target):
            release(target, in: folder)
        case .linked(let target, let identity):
            // A link that cannot be removed now is found again (same file) by the retry.
            if self.identity(of: target, in: folder) == identity { removeLink(target, in: folder) }
        }
    }

    private func removeLink(_ target: String, in folder: Folder) {
        _ = FileName.withCString(directory: path(folder), name: target) { unlink($0) }
        touched.insert(folder)
    }

    /// `lstat` of `directory/name` (never following a link), nil if there is no such entry.
    private static func entry(_ name: String, in directory: String) -> stat? {
        var st = stat()
        let found = FileName.withCString(directory: directory, name: name) { lstat($0, &st) == 0 }
        return found ? st : nil
    }

    /// The identity of `folder/name`, nil if there is none.
    func identity(of name: String, in folder: Folder) -> FileIdentity? {
        Self.entry(name, in: path(folder)).map(FileIdentity.init)
    }

    private func inboxIdentity(of name: String) -> FileIdentity? {
        Self.entry(name, in: inbox).map(FileIdentity.init)
    }

    /// Folders whose first refused link has not been reported yet, with the reason; marks them reported.
    func takeNewRefusals() -> [(Folder, Int32)] {
        defer { unreportedRefusals.removeAll() }
        return unreportedRefusals
    }

    /// The folders that got links since the last call: they are fsynced with the commit, so a
    /// link is durable before its inbox name is removed on any file system.
    func takeLinkedPaths() -> [String] {
        defer { linked.removeAll(keepingCapacity: true) }
        return Folder.allCases.filter { linked.contains($0) }.map { path($0) }
    }

    /// Bytes a name may take in `folder`: a rejected file's `.reason.json` must fit next to it.
    static func room(in folder: Folder) -> Int {
        maxNameBytes - (folder == .rejected ? reasonSuffix.utf8.count : 0)
    }

    /// Longest name a Linux file system accepts (NAME_MAX), in bytes.
    static let maxNameBytes = 255
    static let reasonSuffix = ".reason.json"

    /// `suffixed(name, counter)` (the name itself for 0), its stem cut scalar by scalar until the
    /// bytes fit in `room`: a 255-byte name can still be rejected (`.reason.json`) or suffixed.
    static func fitted(_ name: String, counter: Int, room: Int) -> String {
        var candidate = counter == 0 ? name : suffixed(name, counter)
        guard FileName.bytes(candidate).count > room else { return candidate }
        var stem = name
        var tail = ""
        if let dot = name.lastIndex(of: "."), dot != name.startIndex, name.distance(from: dot, to: name.endIndex) <= 16 {
            stem = String(name[..<dot])
            tail = String(name[dot...])
        }
        tail = (counter == 0 ? "" : ".\(counter)") + tail
        var scalars = stem.unicodeScalars
        while !scalars.isEmpty {
            scalars.removeLast()
            candidate = String(scalars) + tail
            if FileName.bytes(candidate).count <= room { return candidate }
        }
        return String(FileName.fromBytes(Array(FileName.bytes(tail).prefix(room))))
    }

    private func isTaken(_ name: String, in folder: Folder) -> Bool {
        if reserved[folder]?.contains(name) == true { return true }
        if exists(name, in: folder) { return true }
        return folder == .rejected && exists(name + ".reason.json", in: folder)
    }

    private func exists(_ name: String, in folder: Folder) -> Bool { Self.entry(name, in: path(folder)) != nil }

    static func suffixed(_ name: String, _ counter: Int) -> String {
        if let dot = name.lastIndex(of: "."), dot != name.startIndex {
            return "\(name[..<dot]).\(counter)\(name[dot...])"
        }
        return "\(name).\(counter)"
    }

    /// Moves `inbox/name` to `folder/target` with RENAME_NOREPLACE. Returns the name used: if the
    /// target appeared meanwhile, the next free suffix. Returns nil when the source is gone.
    func move(_ name: String, to folder: Folder, as target: String) throws(DispositionError) -> String? {
        var destination = target
        var attempts = 0
        while true {
            let rc = FileName.withCString(directory: inbox, name: name) { src in
                FileName.withCString(directory: path(folder), name: destination) { dst in
                    inboxd_rename_noreplace(AT_FDCWD, src, AT_FDCWD, dst)
                }
            }
            if rc == 0 {
                inboxTouched = true
                touched.insert(folder)
                reserved[folder]?.remove(target)
                return destination
            }
            let code = errno
            if code == ENOENT {
                // The source is gone (taken or deleted meanwhile) or the folder is: recreate a
                // folder deleted under the daemon and try again, instead of leaving the file behind.
                guard sourceExists(name), attempts < 1000 else { return nil }
                attempts += 1
                try Self.makeDirectory(path(folder))
                continue
            }
            guard code == EEXIST, attempts < 1000 else {
                throw DispositionError(operation: "rename into \(folder.rawValue)", path: inbox + "/" + name, errno: code)
            }
            attempts += 1
            destination = reserveName(name, in: folder)
        }
    }

    private func sourceExists(_ name: String) -> Bool { inboxIdentity(of: name) != nil }

    /// Removes the reason written for a rejection whose move did not happen.
    func removeReason(_ target: String) {
        _ = FileName.withCString(directory: path(.rejected), name: target + Self.reasonSuffix) { unlink($0) }
    }

    /// Writes `rejected/<target>.reason.json` durably (before the file itself is moved there).
    func writeReason(_ reason: RejectReason, file: String, target: String, at: String) throws(DispositionError) {
        let json = "{\"file\":\(JSONText.string(file)),\"code\":\(JSONText.string(reason.code)),"
            + "\"message\":\(JSONText.string(reason.message)),\"at\":\(JSONText.string(at))}\n"
        let folder = path(.rejected)
        let fd = FileName.withCString(directory: folder, name: target + ".reason.json") {
            open($0, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o640)
        }
        guard fd >= 0 else { throw DispositionError(operation: "create", path: folder + "/" + target + ".reason.json", errno: errno) }
        defer { close(fd) }
        let bytes = Array(json.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw DispositionError(operation: "write", path: folder + "/" + target + ".reason.json", errno: errno)
            }
            offset += n
        }
        guard fsync(fd) == 0 else { throw DispositionError(operation: "fsync", path: folder, errno: errno) }
        touched.insert(.rejected)
    }

    /// fsyncs every folder whose entries changed since the last call, so renames survive a crash.
    func syncFolders() throws(DispositionError) {
        if let failed = Self.sync(takeTouchedPaths()) {
            markUnsynced(failed.unsynced)
            throw failed.error
        }
    }

    /// fsyncs `paths` in order, up to the first failure: nil when all are synced, else the error
    /// and the paths from the failed one on (to be marked again).
    static func sync(_ paths: [String]) -> (error: DispositionError, unsynced: [String])? {
        for (index, path) in paths.enumerated() {
            do throws(DispositionError) {
                try syncDirectory(path)
            } catch {
                return (error, Array(paths[index...]))
            }
        }
        return nil
    }

    /// The folders whose entries changed since the last call (to fsync them elsewhere); clears the marks.
    func takeTouchedPaths() -> [String] {
        var paths = unsyncedPaths
        unsyncedPaths.removeAll()
        if inboxTouched { paths.append(inbox) }
        inboxTouched = false
        for folder in Folder.allCases where touched.contains(folder) { paths.append(path(folder)) }
        touched.removeAll(keepingCapacity: true)
        return paths
    }

    /// Marks folders again whose fsync failed, so the next sync tries them again.
    func markUnsynced(_ paths: [String]) {
        unsyncedPaths.append(contentsOf: paths)
    }

    /// Number of rejected files on record (their reason files), for status after a restart.
    func countRejected() -> Int {
        guard let dir = opendir(path(.rejected)) else { return 0 }
        defer { closedir(dir) }
        var count = 0
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw in
                String(decoding: raw[0..<(raw.firstIndex(of: 0) ?? raw.count)], as: UTF8.self)
            }
            if name.hasSuffix(".reason.json") { count += 1 }
        }
        return count
    }

    /// The inbox is created like the state folders; a failure is reported as a watch error.
    static func makeDirectoryForWatch(_ path: String) throws(WatcherError) {
        do { try makeDirectory(path) } catch { throw WatcherError(operation: error.operation, path: error.path, errno: error.errno) }
    }

    static func syncDirectory(_ path: String) throws(DispositionError) {
        let fd = inboxd_open_dir(path)
        guard fd >= 0 else { throw DispositionError(operation: "open", path: path, errno: errno) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw DispositionError(operation: "fsync", path: path, errno: errno) }
    }

    /// `mkdir -p`, then fsync the parent so the new folder itself survives a crash.
    static func makeDirectory(_ path: String) throws(DispositionError) {
        var st = stat()
        if stat(path, &st) == 0 {
            guard (st.st_mode & S_IFMT) == S_IFDIR else { throw DispositionError(operation: "mkdir", path: path, errno: ENOTDIR) }
            return
        }
        let parent = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !parent.isEmpty { try makeDirectory(parent) }
        if mkdir(path, 0o750) != 0 && errno != EEXIST { throw DispositionError(operation: "mkdir", path: path, errno: errno) }
        if !parent.isEmpty { try? syncDirectory(parent) }
    }
}

/// JSON string literals for the few small documents the daemon writes by hand.
enum JSONText {
    static func string(_ value: String) -> String {
        var out = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
