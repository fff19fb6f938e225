/// The encoding a file was decoded from; the raw value is what the store records.
public enum TextEncoding: String, Sendable, Codable, CaseIterable {
    /// UTF-8 without a byte-order mark.
    case utf8 = "utf-8"
    /// UTF-8 with a leading `EF BB BF`.
    case utf8BOM = "utf-8-bom"
    /// UTF-16 little-endian, announced by a leading `FF FE`.
    case utf16LE = "utf-16le-bom"
    /// UTF-16 big-endian, announced by a leading `FE FF`.
    case utf16BE = "utf-16be-bom"
    /// Windows-1258 (Vietnamese ANSI), used only when the bytes are not UTF-8 at all.
    case windows1258 = "windows-1258"
}
