/// UTF-16 (after its BOM) to text, strictly: odd lengths and unpaired surrogates are errors.
enum UTF16Decoding {
    /// - Returns: the text, or a rejection: `.empty` (nothing after the BOM), `.undecodable`
    ///   (odd byte count, unpaired surrogate), `.binary` (NUL character, too many controls),
    ///   `.whitespaceOnly`.
    static func decode(_ p: UnsafeBufferPointer<UInt8>, littleEndian: Bool) -> Result<String, Rejection> {
        if p.isEmpty { return .failure(.empty) }
        if p.count % 2 != 0 {
            return .failure(.undecodable("UTF-16 text has an odd number of bytes (\(p.count + 2) with the BOM)"))
        }
        let count = p.count / 2
        var units = [UInt16](repeating: 0, count: count)
        var controls = 0
        var hasContent = false
        var pendingHigh: Int? = nil
        for k in 0..<count {
            let a = UInt16(p[2 * k]), b = UInt16(p[2 * k + 1])
            let u = littleEndian ? (b << 8 | a) : (a << 8 | b)
            units[k] = u
            let offset = 2 + 2 * k  // in the file, BOM included
            switch u {
            case 0xD800...0xDBFF:
                if let h = pendingHigh { return .failure(unpaired(2 + 2 * h)) }
                pendingHigh = k
                continue
            case 0xDC00...0xDFFF:
                guard pendingHigh != nil else { return .failure(unpaired(offset)) }
                pendingHigh = nil
                hasContent = true
                continue
            default:
                if let h = pendingHigh { return .failure(unpaired(2 + 2 * h)) }
            }
            if u == 0 { return .failure(.binary("NUL character at offset \(offset)")) }
            if u < 0x20 {
                if u != 0x09 && u != 0x0A && u != 0x0D && u != 0x0C { controls += 1 }
                if !UTF8Encoding.isASCIISpace(UInt8(u)) { hasContent = true }
            } else if !hasContent && u != 0x20 && !UTF8Encoding.isUnicodeSpace(UInt32(u))
                && !UTF8Encoding.isZeroWidth(UInt32(u))
            {
                hasContent = true
            }
        }
        if let h = pendingHigh { return .failure(unpaired(2 + 2 * h)) }
        if let detail = TextDecoder.controlDensity(controls, of: count) { return .failure(.binary(detail)) }
        if !hasContent { return .failure(.whitespaceOnly) }
        return .success(utf8String(units))
    }

    /// The validated units (surrogates paired) as a String, transcoded by hand: the standard
    /// library's generic `String(decoding:as: UTF16.self)` was a tenth of all parsing time.
    private static func utf8String(_ units: [UInt16]) -> String {
        units.withUnsafeBufferPointer { u in
            String(unsafeUninitializedCapacity: u.count * 3) { out in
                guard let base = out.baseAddress else { return 0 }
                var o = 0
                var k = 0
                while k < u.count {
                    var scalar = UInt32(u[k])
                    k += 1
                    if scalar >= 0xD800 && scalar <= 0xDBFF {
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (UInt32(u[k]) - 0xDC00)
                        k += 1
                    }
                    o += UTF8Encoding.store(scalar, at: base + o)
                }
                return o
            }
        }
    }

    private static func unpaired(_ offset: Int) -> Rejection {
        .undecodable("unpaired UTF-16 surrogate at byte offset \(offset)")
    }
}
