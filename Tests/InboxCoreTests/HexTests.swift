import Testing

@testable import InboxCore

@Suite("Hex")
struct HexTests {
    /// The empty message and the two FIPS 180-2 vectors: together their digests hold every digit in
    /// both nibbles of a byte.
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func rendersDigestsLikeTheStandardVectors(input: String, expected: String) {
        #expect(ContentHash.sha256Hex(Array(input.utf8)) == expected)
    }
}
