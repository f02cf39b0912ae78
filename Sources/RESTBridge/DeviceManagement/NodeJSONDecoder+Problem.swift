import LwM2M

extension NodeJSONDecoder {
    /// `node(_:at:)` for handlers: a body that does not fit is a 400 `invalid-body` problem.
    func decode(_ json: RequestJSON, at path: LwM2MPath) throws(Problem) -> LwM2MNode {
        do {
            return try node(json, at: path)
        } catch {
            throw Problem.invalidBody(error)
        }
    }
}
