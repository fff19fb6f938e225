import Glibc

/// A failure of the inbox watch, with the path and errno and what to do about it.
public struct WatcherError: Error, Sendable, CustomStringConvertible {
    public let operation: String
    public let path: String
    public let errno: Int32

    public init(operation: String, path: String, errno: Int32) {
        self.operation = operation
        self.path = path
        self.errno = errno
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        switch errno {
        case EMFILE, ENOSPC:
            return "\(operation) \(path): \(reason); raise fs.inotify.max_user_watches/max_user_instances"
        case EACCES:
            return "\(operation) \(path): \(reason); give the daemon's user read and execute access"
        case ENOENT:
            return "\(operation) \(path): \(reason); create the folder or fix the inbox path"
        default:
            return "\(operation) \(path): \(reason)"
        }
    }
}
