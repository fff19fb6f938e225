import Foundation
import Glibc
import Testing

/// `inboxctl` and `curl --unix-socket` against a real daemon holding the five seed articles.
@Suite(.serialized)
struct InboxctlTests {
    let daemon: RunningDaemon

    init() throws {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.sub("inbox"), withIntermediateDirectories: true)
        for seed in try FileManager.default.contentsOfDirectory(atPath: Repo.seeds.path) {
            try FileManager.default.copyItem(atPath: Repo.seeds.appendingPathComponent(seed).path, toPath: dir.sub("inbox") + "/" + seed)
        }
        daemon = try RunningDaemon(dir: dir)
    }

    func ctl(_ arguments: [String], environment: [String: String]? = nil) throws -> (status: Int32, stdout: String, stderr: String) {
        try run(Repo.inboxctl, ["--socket", daemon.socket] + arguments, environment: environment)
    }

    @Test func statusInBothModes() throws {
        let json = try run(Repo.inboxctl, ["status", "--json", "--socket", daemon.socket])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["state"] as? String == "ready")
        #expect(object?["articles"] as? Int == 5)
        #expect(object?.keys.sorted() == ["articles", "duplicates", "inbox", "last_error", "overflows", "pending",
                                          "rejected", "rescans", "state", "state_dir", "uptime_seconds", "version"])
        let human = try run(Repo.inboxctl, ["status", "--socket", daemon.socket])
        #expect(human.status == 0)
        #expect(human.stdout.contains("articles    5"))
        #expect(human.stdout.contains("state       ready"))
    }

    @Test func listFollowsPagesIntoOneArray() throws {
        let json = try run(Repo.inboxctl, ["list", "--json", "--socket", daemon.socket])
        #expect(json.status == 0)
        let articles = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(articles.count == 5)
        #expect(articles.allSatisfy { $0["body"] == nil }, "listing leaves out bodies")
        #expect(Set(articles.compactMap { $0["source_file"] as? String }) == Set(try FileManager.default.contentsOfDirectory(atPath: Repo.seeds.path)))
        let human = try run(Repo.inboxctl, ["list", "--socket", daemon.socket])
        #expect(human.stdout.hasPrefix("ID"))
        #expect(human.stdout.contains("5 articles"))
        // Paging through the API directly gives the same stable order.
        let page1 = try curlJSON("/v1/articles?limit=2")
        let cursor = page1["next_cursor"] as? String
        #expect(cursor != nil)
        let page2 = try curlJSON("/v1/articles?limit=2&cursor=\(cursor ?? "")")
        let ids = ((page1["articles"] as? [[String: Any]] ?? []) + (page2["articles"] as? [[String: Any]] ?? [])).compactMap { $0["id"] as? String }
        #expect(ids == articles.prefix(4).compactMap { $0["id"] as? String })
    }

    @Test func showsOneArticleWithBody() throws {
        let list = try JSONSerialization.jsonObject(with: Data(try ctl(["list", "--json"]).stdout.utf8)) as? [[String: Any]] ?? []
        let seed = try #require(list.first { $0["source_file"] as? String == "000_2c7f26bfe47dfcff.txt" })
        let id = try #require(seed["id"] as? String)
        let json = try ctl(["show", id, "--json"])
        #expect(json.status == 0)
        let article = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(article?["author"] as? String == "Phương Hằng")
        #expect((article?["body"] as? [String])?.isEmpty == false)
        let human = try ctl(["show", id])
        #expect(human.stdout.contains("Đối thoại cấp Bộ trưởng Việt-Mỹ lần thứ nhất"))
        let missing = try ctl(["show", "0000000000000000"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no article with id"))
    }

    @Test func exitCodesForUsageAndUnreachableDaemon() throws {
        let usage = try run(Repo.inboxctl, ["frobnicate"])
        #expect(usage.status == 2)
        let unreachable = try run(Repo.inboxctl, ["status", "--socket", daemon.dir.sub("nobody.sock")])
        #expect(unreachable.status == 3)
        #expect(unreachable.stderr.contains(daemon.dir.sub("nobody.sock")))
        #expect(unreachable.stderr.contains("systemctl status inboxd"))
        let viaEnvironment = try run(Repo.inboxctl, ["status", "--json"], environment: ["INBOXD_SOCKET": daemon.socket, "PATH": "/usr/bin:/bin"])
        #expect(viaEnvironment.status == 0)
    }

    @Test func curlAndJqSpeakTheAPI() throws {
        let status = try run("/bin/sh", ["-c", "curl -sS --unix-socket '\(daemon.socket)' http://inboxd/v1/status | jq -e '.state == \"ready\" and .articles == 5'"])
        #expect(status.status == 0, "\(status.stderr)")
        let missing = try run("/usr/bin/curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--unix-socket", daemon.socket, "http://inboxd/v1/nope"])
        #expect(missing.stdout == "404")
        let wrongMethod = try run("/usr/bin/curl", ["-s", "-X", "DELETE", "--unix-socket", daemon.socket, "http://inboxd/v1/status"])
        let error = try JSONSerialization.jsonObject(with: Data(wrongMethod.stdout.utf8)) as? [String: [String: String]]
        #expect(error?["error"]?["code"] == "method_not_allowed")
        var st = stat()
        #expect(stat(daemon.socket, &st) == 0 && (st.st_mode & 0o777) == 0o660, "socket mode 0660")
    }

    func curlJSON(_ path: String) throws -> [String: Any] {
        let result = try run("/usr/bin/curl", ["-sS", "--unix-socket", daemon.socket, "http://inboxd" + path])
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] ?? [:]
    }
}

extension InboxctlTests {
    @Test func searchFindsSeedsByUnaccentedQueries() throws {
        try waitUntil("seeds indexed") {
            let result = try run(Repo.inboxctl, ["search", "bo", "truong", "--json", "--socket", daemon.socket])
            let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
            return object?["indexed"] as? Int == 5
        }
        let json = try ctl(["search", "bo truong", "--json"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any] ?? [:]
        let results = object["results"] as? [[String: Any]] ?? []
        #expect(results.count >= 4, "Bộ trưởng is in most seeds")
        #expect(results.allSatisfy { ($0["snippet"] as? String)?.isEmpty == false })
        let giang = try ctl(["search", "\"dang hoang giang\""])
        #expect(giang.status == 0)
        #expect(giang.stdout.contains("Ngày 18/12"), "seed 004's derived title")
        let voa = try ctl(["search", "voa", "tieng", "viet", "--json"])
        let voaResults = (try JSONSerialization.jsonObject(with: Data(voa.stdout.utf8)) as? [String: Any])?["results"] as? [[String: Any]]
        #expect(voaResults?.first?["source"] as? String == "VOA Tiếng Việt")
        let none = try ctl(["search", "khongcotu"])
        #expect(none.status == 1)
        #expect(none.stdout.contains("No articles match"))
        let curl = try run("/bin/sh", ["-c", "curl -s --unix-socket '\(daemon.socket)' -G http://x/v1/search --data-urlencode 'q=hoa binh' | jq -e '.total >= 1'"])
        #expect(curl.status == 0)
    }
}
