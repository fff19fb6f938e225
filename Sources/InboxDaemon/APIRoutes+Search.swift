import InboxServer

/// `GET /v1/search?q=` (wired to the search index).
extension APIRoutes {
    func search(_ request: APIRequest) -> APIResponse {
        Self.error(503, "unavailable", "search is not available yet")
    }
}
