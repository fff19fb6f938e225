/// One fixed-size entry of `index.bin`: where a log line is and what the dedupe maps need from it, so that a
/// start-up reads 112 bytes per record instead of parsing ~5 KB of JSON.
///
/// `index.bin` = a 32-byte header, then entries in log order. The entries tile the log: entry n+1 starts where
/// entry n ends, so "the index covers the log up to byte X" is one number. Little-endian; hashes in their
/// natural byte order.
///
///     offset  size  field
///          0     8  log offset of the line
///          8     4  line length, `\n` included
///         12     4  CRC-32 of the line's bytes (checked on every read and for the tail at start-up)
///         16     1  kind: 1 article, 2 sighting, 3 corrupt line (skipped), 4 unreadable line (kept, ignored)
///         17     1  sighting kind: 1 exact, 2 normalized (else 0)
///         18     2  reserved (0)
///         20     4  id suffix (0 = none, else n for "-n")
///         24     8  seq (article: its own; sighting: its article's; unreadable: its seq if it had one)
///         32    32  article: content hash; sighting: raw hash
///         64    32  article: raw hash; else zero
///         96     8  article: key of source_file; sighting: key of file (FNV-1a 64, mixed)
///        104     4  reserved (0)
///        108     4  CRC-32 of bytes 0..<108
struct IndexEntry: Equatable, Sendable {
    enum Kind: UInt8, Sendable {
        case article = 1
        case sighting = 2
        case corrupt = 3
        case unreadable = 4
    }

    static let size = 112

    var offset: UInt64
    var length: UInt32
    var lineCRC: UInt32
    var kind: Kind
    var sightingKind: UInt8 = 0
    var idSuffix: UInt32 = 0
    var seq: UInt64 = 0
    var hashA: Hash256 = .zero
    var hashB: Hash256 = .zero
    var fileKey: UInt64 = 0

    var end: UInt64 { offset + UInt64(length) }

    func append(to out: inout [UInt8]) {
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: Self.size))
        out.withUnsafeMutableBytes { buffer in
            let p = buffer.baseAddress! + start
            p.storeBytes(of: offset.littleEndian, toByteOffset: 0, as: UInt64.self)
            p.storeBytes(of: length.littleEndian, toByteOffset: 8, as: UInt32.self)
            p.storeBytes(of: lineCRC.littleEndian, toByteOffset: 12, as: UInt32.self)
            p.storeBytes(of: kind.rawValue, toByteOffset: 16, as: UInt8.self)
            p.storeBytes(of: sightingKind, toByteOffset: 17, as: UInt8.self)
            p.storeBytes(of: idSuffix.littleEndian, toByteOffset: 20, as: UInt32.self)
            p.storeBytes(of: seq.littleEndian, toByteOffset: 24, as: UInt64.self)
            Self.store(hashA, p + 32)
            Self.store(hashB, p + 64)
            p.storeBytes(of: fileKey.littleEndian, toByteOffset: 96, as: UInt64.self)
            let crc = CRC32.checksum(UnsafeRawBufferPointer(start: p, count: 108))
            p.storeBytes(of: crc.littleEndian, toByteOffset: 108, as: UInt32.self)
        }
    }

    /// Nil when the entry's checksum or kind is wrong (a torn or damaged index).
    static func read(_ p: UnsafeRawPointer) -> IndexEntry? {
        let crc = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 108, as: UInt32.self))
        guard crc == CRC32.checksum(UnsafeRawBufferPointer(start: p, count: 108)),
            let kind = Kind(rawValue: p.load(fromByteOffset: 16, as: UInt8.self))
        else { return nil }
        return IndexEntry(
            offset: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
            length: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt32.self)),
            lineCRC: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 12, as: UInt32.self)),
            kind: kind,
            sightingKind: p.load(fromByteOffset: 17, as: UInt8.self),
            idSuffix: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 20, as: UInt32.self)),
            seq: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)),
            hashA: load(p + 32),
            hashB: load(p + 64),
            fileKey: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 96, as: UInt64.self)))
    }

    private static func store(_ hash: Hash256, _ p: UnsafeMutableRawPointer) {
        p.storeBytes(of: hash.a.bigEndian, toByteOffset: 0, as: UInt64.self)
        p.storeBytes(of: hash.b.bigEndian, toByteOffset: 8, as: UInt64.self)
        p.storeBytes(of: hash.c.bigEndian, toByteOffset: 16, as: UInt64.self)
        p.storeBytes(of: hash.d.bigEndian, toByteOffset: 24, as: UInt64.self)
    }

    private static func load(_ p: UnsafeRawPointer) -> Hash256 {
        Hash256(
            a: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
            b: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
            c: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 16, as: UInt64.self)),
            d: UInt64(bigEndian: p.loadUnaligned(fromByteOffset: 24, as: UInt64.self)))
    }
}

/// The 32-byte header of `index.bin`: magic `INBXIDX1`, format version, entry size, header CRC.
///
///     0  8  "INBXIDX1"
///     8  4  format version (1)
///    12  4  entry size (112)
///    16 12  reserved (0)
///    28  4  CRC-32 of bytes 0..<28
enum IndexHeader {
    static let size = 32
    static let version: UInt32 = 1
    private static let magic: [UInt8] = Array("INBXIDX1".utf8)

    static func bytes() -> [UInt8] {
        var out = magic
        out.append(contentsOf: repeatElement(0, count: size - magic.count))
        out.withUnsafeMutableBytes { p in
            p.storeBytes(of: version.littleEndian, toByteOffset: 8, as: UInt32.self)
            p.storeBytes(of: UInt32(IndexEntry.size).littleEndian, toByteOffset: 12, as: UInt32.self)
            let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: p[0..<28]))
            p.storeBytes(of: crc.littleEndian, toByteOffset: 28, as: UInt32.self)
        }
        return out
    }

    static func isValid(_ bytes: [UInt8]) -> Bool {
        bytes.count == size && bytes == Self.bytes()
    }

    static func entryOffset(_ ordinal: UInt64) -> UInt64 {
        UInt64(size) + ordinal * UInt64(IndexEntry.size)
    }
}
