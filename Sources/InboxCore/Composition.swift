/// Unicode NFC, applied only when a text might not already be in NFC.
///
/// Decomposed Latin (Vietnamese saved as NFD) is composed by ``LatinComposition``; anything else
/// uses the standard library's own normalizer (`String._nfcCodeUnits`, public but underscored):
/// it is linear, while Foundation's `precomposedStringWithCanonicalMapping` was measured here to go quadratic on long decomposed input (0.4 MB/s on a 1.2 MB NFD text), which
/// a 10 MB NFD file would turn into minutes. Most input is ASCII plus precomposed Vietnamese, so a
/// cheap scan first proves that nothing needs composing and the text is kept as it is.
enum Composition {
    /// Returns `text` in NFC.
    static func nfc(_ text: String) -> String {
        var copy = text
        return copy.withUTF8 { p in
            guard mightNeedNFC(p) else { return text }
            return String(knownValidUTF8: composed(p))
        }
    }

    /// `p` (valid UTF-8) in NFC: decomposed Latin by ``LatinComposition``, anything else by the
    /// standard library. Debug builds check the first against the second.
    static func composed(_ p: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        guard let fast = LatinComposition.compose(p) else { return String(knownValidUTF8: p)._nfcCodeUnits }
        assert(fast == String(knownValidUTF8: p)._nfcCodeUnits, "LatinComposition differs from NFC on \(Array(p))")
        return fast
    }

    /// False only when every scalar is known to be NFC-stable on its own and no combining mark
    /// occurs, so the text is already NFC. True means "compose to be sure".
    static func mightNeedNFC(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = 0
        let n = p.count
        while i < n {
            let b = p[i]
            // Scalars below U+0300 (lead bytes up to 0xCB) are all NFC-stable; continuation
            // bytes fall in the same range and are skipped the same way.
            if b < 0xCC {
                i += 1
                continue
            }
            guard let (v, len) = UTF8Encoding.scalar(at: i, in: p) else { return true }
            if !isStable(v) { return true }
            i += len
        }
        return false
    }

    /// Ranges whose characters neither compose with a neighbour nor change under NFC: Latin
    /// Extended Additional (precomposed Vietnamese), punctuation, symbols, CJK, Hangul syllables,
    /// emoji. Everything else (combining marks, Greek, Cyrillic, Indic, Jamo...) takes the slow path.
    /// Gaps: U+2329/U+232A (NFC: U+3008/U+3009), U+2ADC (NFC: U+2ADD U+0338) and the combining
    /// tone marks U+302A–U+302F change under NFC.
    @inline(__always)
    static func isStable(_ v: UInt32) -> Bool {
        switch v {
        case 0x1E00...0x1EFF, 0x2002...0x20CF, 0x2190...0x2328, 0x232B...0x23FF, 0x2500...0x2ADB,
            0x2ADD...0x2BFF, 0x3000...0x3029, 0x3030...0x3098, 0x4E00...0x9FFF, 0xAC00...0xD7A3, 0xFEFF,
            0xFF01...0xFFEF, 0x1F000...0x1FAFF:
            true
        default:
            false
        }
    }
}
