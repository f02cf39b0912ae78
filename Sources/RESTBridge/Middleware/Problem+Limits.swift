import Hummingbird

extension Problem {
    /// 409 `limit-exceeded`: a per-endpoint limit of the server (`--max-queued-operations-per-endpoint`,
    /// `--max-observations-per-endpoint`) refused the request; nothing was changed.
    static func limitExceeded(_ detail: String) -> Problem {
        Problem(type: typeBase + "limit-exceeded", title: "Limit exceeded", status: .conflict, detail: detail)
    }
}
