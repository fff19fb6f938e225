/// Which names in the inbox are finished files worth taking.
///
/// Browsers, editors and copy tools write under a temporary name and rename when done; taking
/// those early would ingest half a file. They are left alone until renamed to a final name.
public enum InboxNames {
    static let temporarySuffixes = [".part", ".tmp", ".crdownload", ".swp", "~"]

    /// True for a name the daemon should take: not hidden, not a known temporary name.
    public static func isCandidate(_ name: String) -> Bool {
        if name.isEmpty || name.hasPrefix(".") { return false }  // also covers `.#lock` files
        for suffix in temporarySuffixes where name.hasSuffix(suffix) { return false }
        return true
    }
}
