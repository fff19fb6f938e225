import Glibc

/// Lossless conversion between file-name bytes and `String`.
///
/// Linux names are bytes, not text: a name with invalid UTF-8 must still be opened, moved and
/// reported. Valid UTF-8 maps to itself; each byte of an invalid sequence maps to one scalar of
/// U+10FF00...U+10FFFF (the end of a private-use plane no real name uses), and back.
public enum FileName {
    static let escapeBase: UInt32 = 0x10FF00

    /// The name as text; invalid bytes become escape scalars.
    public static func fromBytes(_ bytes: [UInt8]) -> String {
        if let valid = String(validating: bytes, as: UTF8.self), !hasEscapes(valid) {
            return valid
        }
        var scalars = String.UnicodeScalarView()
        var index = 0
        while index < bytes.count {
            if let (scalar, length) = decodeOne(bytes, at: index), !isEscape(scalar) {
                scalars.append(scalar)
                index += length
            } else {
                scalars.append(Unicode.Scalar(escapeBase + UInt32(bytes[index]))!)
                index += 1
            }
        }
        return String(scalars)
    }

    /// The name's bytes on disk.
    public static func bytes(_ name: String) -> [UInt8] {
        guard hasEscapes(name) else { return Array(name.utf8) }
        var out: [UInt8] = []
        for scalar in name.unicodeScalars {
            if isEscape(scalar) { out.append(UInt8(scalar.value - escapeBase)) } else { out.append(contentsOf: String(scalar).utf8) }
        }
        return out
    }

    /// Calls `body` with the name as a NUL-terminated C string of its real bytes.
    public static func withCString<R>(_ name: String, _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        if !hasEscapes(name) { return try name.withCString(body) }
        var raw = bytes(name).map { CChar(bitPattern: $0) }
        raw.append(0)
        return try raw.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    /// `path + "/" + name` as C string bytes.
    ///
    /// Inlinable so callers get it specialized: several paths per ingested file, and the generic
    /// version looked up type metadata at run time on every call (profiled).
    @inlinable
    public static func withCString<R>(directory: String, name: String, _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        if !hasEscapes(name) {
            // Several paths per ingested file: assembled on the stack, not in a new String.
            var directory = directory
            var name = name
            return try directory.withUTF8 { dir in
                try name.withUTF8 { file in
                    try withUnsafeTemporaryAllocation(of: CChar.self, capacity: dir.count + file.count + 2) { path in
                        let base = UnsafeMutableRawPointer(path.baseAddress!)
                        if dir.count > 0 { base.copyMemory(from: dir.baseAddress!, byteCount: dir.count) }
                        base.storeBytes(of: UInt8(ascii: "/"), toByteOffset: dir.count, as: UInt8.self)
                        if file.count > 0 { (base + dir.count + 1).copyMemory(from: file.baseAddress!, byteCount: file.count) }
                        base.storeBytes(of: 0, toByteOffset: dir.count + 1 + file.count, as: UInt8.self)
                        return try body(UnsafePointer(path.baseAddress!))
                    }
                }
            }
        }
        var raw = (Array(directory.utf8) + [UInt8(ascii: "/")] + bytes(name)).map { CChar(bitPattern: $0) }
        raw.append(0)
        return try raw.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }

    static func isEscape(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= escapeBase }

    /// Escape scalars (U+10FF00...U+10FFFF) are the only ones whose UTF-8 starts with F4 8F BC-BF,
    /// so a name without an F4 byte has none; the byte scan is much cheaper than decoding scalars.
    @usableFromInline static func hasEscapes(_ name: String) -> Bool {
        var text = name
        let hasF4 = text.withUTF8 { bytes in bytes.isEmpty ? false : memchr(bytes.baseAddress!, 0xF4, bytes.count) != nil }
        guard hasF4 else { return false }
        return name.unicodeScalars.contains(where: isEscape)
    }

    private static func decodeOne(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
        let lead = bytes[index]
        let length: Int
        switch lead {
        case 0x00...0x7F: return (Unicode.Scalar(lead), 1)
        case 0xC2...0xDF: length = 2
        case 0xE0...0xEF: length = 3
        case 0xF0...0xF4: length = 4
        default: return nil
        }
        guard index + length <= bytes.count else { return nil }
        guard let text = String(validating: bytes[index..<(index + length)], as: UTF8.self),
              let scalar = text.unicodeScalars.first, text.unicodeScalars.count == 1 else { return nil }
        return (scalar, length)
    }
}
