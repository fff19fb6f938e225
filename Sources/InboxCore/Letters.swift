/// Letter and case tests with fast paths for ASCII and Vietnamese; Unicode properties (a
/// table search per call) only for other scripts.
enum Letters {
    /// Letters (any L* category) plus letter-like numbers (Nl, No), the reference normalizer's
    /// notion of "letter" for the tone rule.
    @inline(__always)
    static func isLetter(_ v: UInt32) -> Bool {
        if v < 0x80 { return (v | 0x20) >= 0x61 && (v | 0x20) <= 0x7A }
        if v < 0x250 { return v >= 0xC0 ? (v != 0xD7 && v != 0xF7) : (v == 0xAA || v == 0xB5 || v == 0xBA) }
        if v >= 0x1E00 && v <= 0x1EFF { return true }
        guard let s = Unicode.Scalar(v) else { return false }
        switch s.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
            .letterNumber, .otherNumber:
            return true
        default:
            return false
        }
    }

    @inline(__always)
    static func isDigit(_ v: UInt32) -> Bool { v >= 0x30 && v <= 0x39 }

    /// Upper case letter (Vietnamese fast path).
    @inline(__always)
    static func isUppercase(_ v: UInt32) -> Bool {
        if v < 0x80 { return v >= 0x41 && v <= 0x5A }
        if let fast = vietnameseCase(v) { return fast }
        return Unicode.Scalar(v)?.properties.isUppercase ?? false
    }

    /// Lower case letter (Vietnamese fast path).
    @inline(__always)
    static func isLowercase(_ v: UInt32) -> Bool {
        if v < 0x80 { return v >= 0x61 && v <= 0x7A }
        if let fast = vietnameseCase(v) { return !fast }
        return Unicode.Scalar(v)?.properties.isLowercase ?? false
    }

    /// True for upper, false for lower, nil when not a letter this knows.
    @inline(__always)
    private static func vietnameseCase(_ v: UInt32) -> Bool? {
        switch v {
        case 0xC0...0xDE: return v == 0xD7 ? nil : true
        case 0xDF...0xFF: return v == 0xF7 ? nil : false
        case 0x102, 0x110, 0x128, 0x168, 0x1A0, 0x1AF: return true
        case 0x103, 0x111, 0x129, 0x169, 0x1A1, 0x1B0: return false
        case 0x1EA0...0x1EF9: return v % 2 == 0
        default: return nil
        }
    }
}
