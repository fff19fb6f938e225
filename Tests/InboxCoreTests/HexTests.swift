import Testing

@testable import InboxCore

@Suite("Hex")
struct HexTests {
    /// FIPS 180-2 test vectors: every digit value in both nibbles, lowercase.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ])
    func rendersDigestsLikeTheStandardVectors(input: String, expected: String) {
        #expect(ContentHash.sha256Hex(Array(input.utf8)) == expected)
        #expect(Hex.isLowercaseHex(expected, count: 64))
    }
}
