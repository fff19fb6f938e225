/// What the watcher reports about the inbox, already filtered to what the daemon acts on.
public enum InboxEvent: Sendable, Equatable {
    /// A finished file (closed after writing, or renamed in) with a final name.
    case file(String)
    /// A non-regular entry (symlink, FIFO, socket, device) appeared: it never gets a close event.
    case special(String)
    /// A folder appeared in the inbox; folders are not descended.
    case directory(String)
    /// The kernel queue overflowed: events were lost, so the whole inbox must be rescanned.
    case overflow
    /// The inbox folder itself was deleted or moved away; the watch is gone.
    case inboxGone
}
