import InboxServer

/// `GET /metrics` in the Prometheus text exposition format (version 0.0.4).
extension APIRoutes {
    func metrics() -> APIResponse {
        let t = board.telemetry.read()
        let counters = board.read()
        let counts = store.counts
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ samples: [(String, String)]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples { out += name + labels + " " + value + "\n" }
        }
        metric("inboxd_build_info", "gauge", "Build information.", [("{version=\"\(Self.version)\"}", "1")])
        metric("inboxd_ingested_total", "counter", "Files stored as new articles since start.", [("", "\(t.ingested)")])
        metric("inboxd_duplicates_total", "counter", "Files recognised as duplicates since start, by kind.",
               t.duplicatesByKind.keys.sorted().map { ("{kind=\"\($0)\"}", "\(t.duplicatesByKind[$0]!)") })
        metric("inboxd_parses_skipped_total", "counter",
               "Parses skipped since start: files whose exact bytes were already on record, recognised by their raw hash (a file taken again after a failed commit counts again).",
               [("", "\(t.parsesSkipped)")])
        metric("inboxd_rejected_total", "counter", "Files rejected since start, by reason code.",
               t.rejectedByReason.keys.sorted().map { ("{reason=\"\($0)\"}", "\(t.rejectedByReason[$0]!)") })
        var buckets: [(String, String)] = []
        for (index, bound) in Telemetry.latencyBounds.enumerated() {
            buckets.append(("_bucket{le=\"\(bound)\"}", "\(t.latencyBuckets[index])"))
        }
        buckets.append(("_bucket{le=\"+Inf\"}", "\(t.latencyCount)"))
        buckets.append(("_sum", "\(t.latencySum)"))
        buckets.append(("_count", "\(t.latencyCount)"))
        out += "# HELP inboxd_ingest_latency_seconds Time from a batch's start to each file's final move.\n"
        out += "# TYPE inboxd_ingest_latency_seconds histogram\n"
        for (suffix, value) in buckets { out += "inboxd_ingest_latency_seconds" + suffix + " " + value + "\n" }
        metric("inboxd_store_articles", "gauge", "Articles in the store.", [("", "\(counts.articles)")])
        metric("inboxd_store_duplicate_sightings", "gauge", "Duplicate sightings recorded in the store.", [("", "\(counts.sightings)")])
        metric("inboxd_store_bytes", "gauge", "Bytes of the store on disk.", [("", "\(counts.bytesOnDisk)")])
        metric("inboxd_rejected_files", "gauge", "Files in the rejected folder.", [("", "\(counters.rejected)")])
        metric("inboxd_pending_files", "gauge", "Files queued for the batch in hand.", [("", "\(counters.pending)")])
        metric("inboxd_inotify_overflows_total", "counter", "inotify queue overflows since start.", [("", "\(counters.overflows)")])
        metric("inboxd_rescans_total", "counter", "Full inbox rescans since start (overflow, recreated inbox).", [("", "\(counters.rescans)")])
        metric("inboxd_event_subscribers", "gauge", "Clients following /v1/events.", [("", "\(board.telemetry.subscriberCount)")])
        metric("inboxd_up", "gauge", "1 when ready, 0 when starting, degraded or stopping.", [("", counters.state == .ready ? "1" : "0")])
        return APIResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(out.utf8))
    }
}
