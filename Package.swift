// swift-tools-version:6.0
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "inboxd",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "inboxd", targets: ["inboxd"]),
        .executable(name: "inboxctl", targets: ["inboxctl"]),
        .library(name: "InboxCore", targets: ["InboxCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        // Pure: bytes in, Article and content hash out. No file system, clock or globals.
        .target(
            name: "InboxCore",
            dependencies: ["CTextScan", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict
        ),
        // The core's byte-run finders, sixteen bytes at a time (SSE2; nothing skipped elsewhere).
        .systemLibrary(name: "CTextScan"),
        // The durable JSON store: append-only log, index, load and repair.
        .target(name: "InboxStore", dependencies: ["CChecksum", "CTextScan"], swiftSettings: strict),
        // CRC-32 by carry-less multiplication (x86-64 with PCLMULQDQ; the table otherwise).
        .systemLibrary(name: "CChecksum"),
        // Linux calls Glibc does not import (renameat2, signalfd).
        .systemLibrary(name: "CLinux"),
        // inotify on the inbox, start-up scan, overflow -> rescan.
        .target(name: "InboxWatcher", dependencies: ["CLinux"], swiftSettings: strict),
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        // sd_notify lifecycle and journald-friendly logging.
        .target(
            name: "InboxSystemd",
            dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")],
            swiftSettings: strict
        ),
        // Wire types shared by daemon and CLI, and the small Unix-socket HTTP client.
        .target(name: "InboxAPI", swiftSettings: strict),
        // The HTTP/1.1 server on the Unix socket.
        .target(
            name: "InboxServer",
            dependencies: [
                "InboxAPI", "CLinux",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // In-memory full-text search over title, body, author and source.
        .target(name: "InboxSearch", dependencies: ["InboxCore"], swiftSettings: strict),
        // Composition: configuration, the ingest loop, dispositions.
        .target(
            name: "InboxDaemon",
            dependencies: [
                "InboxCore", "InboxStore", "InboxWatcher", "InboxSystemd", "InboxAPI", "InboxServer", "InboxSearch", "CLinux",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "inboxd", dependencies: ["InboxDaemon", .product(name: "ArgumentParser", package: "swift-argument-parser")], swiftSettings: strict),
        .executableTarget(
            name: "inboxctl",
            dependencies: ["InboxAPI", "CLinux", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            swiftSettings: strict
        ),
        // Benchmarks (bench/): small release tools `make bench` runs; they print JSON figures.
        .executableTarget(name: "corebench", dependencies: ["InboxCore"], path: "bench/corebench", swiftSettings: strict),
        .executableTarget(name: "storegen", dependencies: ["InboxStore"], path: "bench/storegen", swiftSettings: strict),
        .executableTarget(name: "searchbench", dependencies: ["InboxSearch", "InboxCore"], path: "bench/searchbench", swiftSettings: strict),
        // libFuzzer target over InboxCore (Fuzz/run.sh, `make fuzz`); a plain build is a replay tool.
        .executableTarget(name: "FuzzCore", dependencies: ["InboxCore"], path: "Fuzz/FuzzCore", swiftSettings: strict),
        .testTarget(name: "InboxCoreTests", dependencies: ["InboxCore"], exclude: ["Fixtures"], swiftSettings: strict),
        .testTarget(name: "InboxStoreTests", dependencies: ["InboxStore"], swiftSettings: strict),
        .testTarget(name: "InboxSearchTests", dependencies: ["InboxSearch", "InboxCore"], swiftSettings: strict),
        .testTarget(
            name: "InboxdEndToEndTests",
            dependencies: ["InboxAPI"],
            swiftSettings: strict
        ),
    ]
)
