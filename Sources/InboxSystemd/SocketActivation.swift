import CSystemd
import Glibc

/// Listening sockets passed by the service manager (`LISTEN_FDS`, `LISTEN_FDNAMES`), as
/// `inboxd.socket` does with `FileDescriptorName=api`.
public enum SocketActivation {
    /// The socket to serve the API on, when systemd passed one.
    public struct Passed: Sendable, Equatable {
        /// The listening descriptor (close-on-exec, owned by this process from now on).
        public var descriptor: Int32
        /// Its `FileDescriptorName=` (`unknown` when the unit gave none).
        public var name: String
        /// The socket's file path, read back with `getsockname`; nil for an abstract socket.
        public var path: String?
    }

    /// What systemd passed and what was chosen.
    public enum Outcome: Sendable, Equatable {
        /// No socket activation: bind the configured path.
        case none
        /// Serve on this descriptor; `ignored` names descriptors that were passed but not used.
        case socket(Passed, ignored: [String])
        /// Descriptors were passed but none is a listening Unix stream socket we can pick.
        case unusable(String)
    }

    /// Takes the descriptors systemd passed (and clears `LISTEN_*` so children do not inherit them):
    /// the one named `preferredName`, else the only one.
    public static func take(preferredName: String = "api") -> Outcome {
        var names: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        let count = Int(sd_listen_fds_with_names(1, &names))
        guard count > 0 else { return count == 0 ? .none : .unusable("sd_listen_fds failed: \(String(cString: strerror(-Int32(count))))") }
        var passed: [(fd: Int32, name: String)] = []
        for index in 0..<count {
            let name = names?[index].map { String(cString: $0) } ?? "unknown"
            passed.append((SD_LISTEN_FDS_START + Int32(index), name))
            free(names?[index])
        }
        free(names)

        let chosen = passed.first { $0.name == preferredName } ?? (passed.count == 1 ? passed[0] : nil)
        guard let chosen else {
            return .unusable("\(count) sockets passed (\(passed.map(\.name).joined(separator: ", "))), none named \(preferredName)")
        }
        guard sd_is_socket_unix(chosen.fd, Int32(SOCK_STREAM.rawValue), 1, nil, 0) > 0 else {
            return .unusable("the socket named \(chosen.name) is not a listening Unix stream socket")
        }
        let ignored = passed.filter { $0.fd != chosen.fd }.map(\.name)
        return .socket(Passed(descriptor: chosen.fd, name: chosen.name, path: boundPath(chosen.fd)), ignored: ignored)
    }

    /// The file path a Unix socket is bound to.
    static func boundPath(_ fd: Int32) -> String? {
        var address = sockaddr_un()
        var length = socklen_t(MemoryLayout<sockaddr_un>.size)
        let rc = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard rc == 0 else { return nil }
        let path = withUnsafeBytes(of: address.sun_path) { raw in
            Array(raw.prefix(max(0, Int(length) - MemoryLayout<sa_family_t>.size)).prefix { $0 != 0 })
        }
        guard !path.isEmpty else { return nil }  // unnamed or abstract
        return String(decoding: path, as: UTF8.self)
    }
}
