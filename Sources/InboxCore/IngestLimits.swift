/// Size limits applied to one inbox file.
///
/// The daemon checks the size reported by `fstat` with ``TextDecoder/checkSize(_:limits:)``
/// before it reads a file, so a huge file is never loaded; ``ArticlePipeline/process(_:limits:)``
/// checks the byte count again in case the file grew in between.
public struct IngestLimits: Sendable, Equatable {
    /// Largest accepted file, in bytes (configuration key `max_file_size`).
    public var maxBytes: Int

    /// Creates limits; the default is 10 MiB.
    public init(maxBytes: Int = 10 * 1024 * 1024) {
        self.maxBytes = maxBytes
    }

    /// 10 MiB.
    public static let `default` = IngestLimits()
}
