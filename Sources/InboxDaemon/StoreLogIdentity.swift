import Glibc

/// The store log's identity (device, inode) when the daemon opened it.
///
/// The store appends through a descriptor: if someone deletes the store folder, appends still
/// succeed, into a file nobody can open again, and every article taken since would be gone at the
/// next start. One `stat` per batch notices that and stops commits (the daemon degrades and keeps
/// the files in the inbox) until it is restarted, which creates a new store.
struct StoreLogIdentity {
    let path: String
    private let identity: (dev_t, ino_t)?

    init(path: String) {
        self.path = path
        var st = stat()
        identity = stat(path, &st) == 0 ? (st.st_dev, st.st_ino) : nil
    }

    /// Why appends must not go on, or nil when the log is still the file the store opened.
    func problem() -> String? {
        guard let identity else { return nil }
        var st = stat()
        guard stat(path, &st) == 0 else {
            let code = errno
            guard code == ENOENT || code == ENOTDIR else { return nil }  // cannot tell: let the commit decide
            let reason = String(cString: strerror(code))
            return "the store log \(path) is gone (\(reason)): it was deleted under the running daemon; restart inboxd to create a new store"
        }
        guard st.st_dev == identity.0, st.st_ino == identity.1 else {
            return "the store log \(path) was replaced under the running daemon; restart inboxd to load it"
        }
        return nil
    }
}
