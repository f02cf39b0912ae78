import LwM2M

extension LwM2MPath {
    /// A path in a JSON body or a comma-separated query list: with its leading slash (`/3303/0/5700`), as the
    /// OpenAPI document's `LwM2MPathText` says; `nil` for anything else. (The URL's `{path}` segments have none, and
    /// telemetry's `path=` takes either.)
    static func fromAPI(_ text: String) -> LwM2MPath? {
        guard text.hasPrefix("/") else { return nil }
        return try? LwM2MPath(text)
    }
}
