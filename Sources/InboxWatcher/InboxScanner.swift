import Glibc

/// Lists the inbox once (start-up, overflow, recreated inbox) in the same terms as the watcher.
public enum InboxScanner {
    /// Every entry of the folder as an event: finished files, special entries, sub-folders.
    /// Sorted by name so a scan takes files in a predictable order.
    /// - Throws: `WatcherError` when the folder cannot be opened.
    public static func scan(_ path: String) throws(WatcherError) -> [InboxEvent] {
        guard let dir = opendir(path) else { throw WatcherError(operation: "opendir", path: path, errno: errno) }
        defer { closedir(dir) }
        var found: [(String, InboxEvent)] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: &entry.pointee.d_name) { raw -> String in
                let end = raw.firstIndex(of: 0) ?? raw.count
                return FileName.fromBytes(Array(raw[0..<end]))
            }
            if name == "." || name == ".." { continue }
            var st = stat()
            let ok = FileName.withCString(directory: path, name: name) { lstat($0, &st) == 0 }
            guard ok else { continue }  // vanished since readdir
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                if InboxNames.isCandidate(name) { found.append((name, .file(name))) }
            case S_IFDIR:
                found.append((name, .directory(name)))
            default:
                found.append((name, .special(name)))
            }
        }
        return found.sorted { $0.0 < $1.0 }.map(\.1)
    }
}
