import Glibc

/// Why the store could not do what was asked: the file, the errno when there is one, and what to do about it.
public enum StoreError: Error, Sendable, CustomStringConvertible {
    /// A system call failed on `path`.
    case io(operation: String, path: String, errno: Int32)
    /// Another process (another inboxd?) holds the store's lock.
    case locked(path: String)
    /// A record read back from the log does not match its checksum or does not decode.
    case corruptRecord(path: String, offset: UInt64, reason: String)
    /// A failed commit could not be rolled back; the store refuses further commits until it is reopened.
    case unusable(path: String, reason: String)

    /// The file or folder concerned.
    public var path: String {
        switch self {
        case .io(_, let path, _), .locked(let path), .corruptRecord(let path, _, _), .unusable(let path, _):
            return path
        }
    }

    /// The errno of the failed call, if any.
    public var errno: Int32? {
        if case .io(_, _, let code) = self { return code }
        return nil
    }

    /// What an operator can do about it.
    public var remedy: String {
        switch self {
        case .io(_, _, let code):
            switch code {
            case ENOSPC, EDQUOT:
                return "free space on the file system that holds it (or raise the quota); nothing staged was kept, "
                    + "so files still in the inbox are ingested again once there is room"
            case EACCES, EPERM:
                return "give the daemon's user read and write access to it and to its folder"
            case EROFS:
                return "the file system is mounted read-only; remount it read-write"
            case EIO:
                return "the disk reported an I/O error: check `dmesg` and the disk's health before going on"
            case EMFILE, ENFILE:
                return "too many open files: raise the limit (LimitNOFILE=) or look for a descriptor leak"
            case ENOENT, ENOTDIR:
                return "check that the state folder exists and is a folder"
            default:
                return "check the file and its file system; the store is unchanged past its last durable commit"
            }
        case .locked:
            return "another process holds the store; stop the other inboxd (or point this one at another state folder)"
        case .corruptRecord:
            return "the record's bytes changed on disk after it was written; restore the log from a backup, "
                + "or delete index.bin and restart to rebuild the index and skip the damaged line"
        case .unusable:
            return "restart the daemon: opening the store again repairs the log's tail"
        }
    }

    public var description: String {
        switch self {
        case .io(let operation, let path, let code):
            return "store: \(operation) failed for \(path): \(String(cString: strerror(code))) (errno \(code)); "
                + remedy
        case .locked(let path):
            return "store: \(path) is locked by another process; \(remedy)"
        case .corruptRecord(let path, let offset, let reason):
            return "store: corrupt record in \(path) at offset \(offset): \(reason); \(remedy)"
        case .unusable(let path, let reason):
            return "store: \(path) is unusable until reopened: \(reason); \(remedy)"
        }
    }
}
