extension String {
    /// A String of bytes already proven to be valid UTF-8: input that passed ``UTF8Scan``, or
    /// output written one whole scalar at a time from such input.
    ///
    /// `String(decoding:as:)` checks every byte again, which costs about 5 ns per byte of
    /// Vietnamese text: body paragraphs alone were an eighth of all parsing time, and lines and
    /// keys paid it too. Debug builds (and so every test and the fuzzer) still check.
    init(knownValidUTF8 bytes: ArraySlice<UInt8>) {
        assert(String(validating: bytes, as: UTF8.self) != nil, "not valid UTF-8: \(Array(bytes))")
        self = String(copying: UTF8Span(unchecked: bytes.span))
    }

    init(knownValidUTF8 bytes: [UInt8]) {
        self.init(knownValidUTF8: bytes[...])
    }

    init(knownValidUTF8 p: UnsafeBufferPointer<UInt8>) {
        assert(String(validating: p, as: UTF8.self) != nil, "not valid UTF-8: \(Array(p))")
        self = String(copying: UTF8Span(unchecked: p.span))
    }
}
