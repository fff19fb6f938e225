import CChecksum

/// CRC-32 (IEEE 802.3, the zlib/PNG polynomial), slicing-by-8: checks index entries and log lines.
enum CRC32 {
    private static let table: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var crc = UInt32(i)
            for _ in 0..<8 {
                crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1
            }
            table[i] = crc
        }
        for i in 0..<256 {
            for slice in 1..<8 {
                let previous = table[(slice - 1) * 256 + i]
                table[slice * 256 + i] = (previous >> 8) ^ table[Int(previous & 0xFF)]
            }
        }
        return table
    }()

    /// Whether this CPU folds with carry-less multiplication: a log line of 4 KB then takes about
    /// a tenth of the table's time (the table was 2 % of the ingest thread's CPU).
    static let folds = inboxd_crc32_fold_available() != 0

    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        checksum(bytes, fold: folds)
    }

    /// `fold: false` is the table alone (tests compare the two).
    static func checksum(_ bytes: UnsafeRawBufferPointer, fold: Bool) -> UInt32 {
        guard var pointer = bytes.baseAddress else { return 0 }
        var remaining = bytes.count
        var crc: UInt32 = 0xFFFF_FFFF
        if fold && remaining >= 64 {
            let folded = remaining & ~15
            crc = inboxd_crc32_fold(crc, pointer.assumingMemoryBound(to: UInt8.self), folded)
            pointer += folded
            remaining -= folded
        }
        table.withUnsafeBufferPointer { t in
            while remaining >= 8 {
                let one = pointer.loadUnaligned(as: UInt32.self).littleEndian ^ crc
                let two = pointer.loadUnaligned(fromByteOffset: 4, as: UInt32.self).littleEndian
                crc = t[7 * 256 + Int(one & 0xFF)] ^ t[6 * 256 + Int((one >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((one >> 16) & 0xFF)] ^ t[4 * 256 + Int(one >> 24)]
                    ^ t[3 * 256 + Int(two & 0xFF)] ^ t[2 * 256 + Int((two >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((two >> 16) & 0xFF)] ^ t[Int(two >> 24)]
                pointer += 8
                remaining -= 8
            }
            while remaining > 0 {
                crc = t[Int((crc ^ UInt32(pointer.load(as: UInt8.self))) & 0xFF)] ^ (crc >> 8)
                pointer += 1
                remaining -= 1
            }
        }
        return ~crc
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum($0) }
    }

    static func checksum(_ bytes: [UInt8], range: Range<Int>) -> UInt32 {
        bytes.withUnsafeBytes { checksum(UnsafeRawBufferPointer(rebasing: $0[range])) }
    }
}
