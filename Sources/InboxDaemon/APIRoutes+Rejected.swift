import CLinux
import Foundation
import Glibc
import InboxServer
import InboxWatcher

/// `/v1/rejected` and `/v1/rejected/{name}/retry`: the rejected folder, read from disk.
extension APIRoutes {
    var rejectedFolder: String { configuration.stateDirectory + "/rejected" }

    func listRejected() -> APIResponse {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: rejectedFolder)) ?? []).sorted()
        var items: [String] = []
        for name in names where name.hasSuffix(".reason.json") {
            let file = String(name.dropLast(".reason.json".count))
            let reasonPath = rejectedFolder + "/" + name
            guard let data = FileManager.default.contents(atPath: reasonPath),
                  var object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else { continue }
            object["name"] = file
            var st = stat()
            let present = FileName.withCString(directory: rejectedFolder, name: file) { lstat($0, &st) == 0 }
            object["present"] = present
            object["bytes"] = present ? Int(st.st_size) : nil
            if let json = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]) {
                items.append(String(decoding: json, as: UTF8.self))
            }
        }
        return Self.raw(200, "{\"rejected\":[" + items.joined(separator: ",") + "]}")
    }

    /// Moves `rejected/<name>` back into the inbox under its name (never overwriting), where the
    /// watcher takes it again; the reason file is removed once the move succeeded.
    func retryRejected(_ name: String) -> APIResponse {
        guard !name.isEmpty, !name.contains("/"), name != ".", name != "..", !name.hasSuffix(".reason.json") else {
            return Self.error(400, "bad_name", "give the rejected file's name as listed by `inboxctl rejected`")
        }
        var st = stat()
        guard FileName.withCString(directory: rejectedFolder, name: name, { lstat($0, &st) }) == 0 else {
            return Self.error(404, "not_found", "no rejected file named \(name); list them with `inboxctl rejected`")
        }
        let rc = FileName.withCString(directory: rejectedFolder, name: name) { src in
            FileName.withCString(directory: configuration.inbox, name: name) { dst in
                inboxd_rename_noreplace(AT_FDCWD, src, AT_FDCWD, dst)
            }
        }
        guard rc == 0 else {
            let code = errno
            if code == EEXIST {
                return Self.error(409, "conflict", "a file named \(name) is already in the inbox; rename one of them first")
            }
            return Self.error(500, "io_error", "cannot move \(name) back to the inbox: \(String(cString: strerror(code)))")
        }
        _ = FileName.withCString(directory: rejectedFolder, name: name + ".reason.json") { unlink($0) }
        try? Dispositions.syncDirectory(rejectedFolder)
        try? Dispositions.syncDirectory(configuration.inbox)
        board.update { $0.rejected = max(0, $0.rejected - 1) }
        return Self.raw(202, "{\"retried\":\(JSONText.string(name))}")
    }
}
