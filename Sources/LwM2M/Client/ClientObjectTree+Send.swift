import CoAP
import Foundation

extension ClientObjectTree {
    /// A Send of the nodes at `paths` (LwM2M 1.1 Core §6.4.6: `POST /dp`, SenML JSON or SenML CBOR, §7.4.5), every
    /// value stamped with `measuredAt` (SenML `t`, rounded to the millisecond) or untimed when `nil`.
    ///
    /// Throws `unsupportedContentFormat` for another format and `invalidPath` for a path that holds nothing (a Send
    /// names existing resources, instances or objects; not `/`).
    public func send(_ paths: [LwM2MPath], format: ContentFormat, measuredAt: Date?) throws(LwM2MCodecError)
        -> ClientSend
    {
        guard format.canonical == .senmlJSON || format.canonical == .senmlCBOR else {
            throw LwM2MCodecError(.unsupportedContentFormat, "Send carries SenML JSON or SenML CBOR, not \(format)")
        }
        var nodes: [LwM2MPath: LwM2MNode] = [:]
        for path in paths {
            guard let node = node(at: path) else {
                throw LwM2MCodecError(.invalidPath, "nothing to send at \(path)", path: path)
            }
            nodes[path] = node
        }
        let timestamp = measuredAt.map { ($0.timeIntervalSince1970 * 1000).rounded() / 1000 }
        let payload = try codecs.encodeTimestamped(
            [TimestampedNodes(timestamp: timestamp, nodes: nodes)], format: format, model: model)
        let request = CoAPRequest(method: .post, uriPath: ["dp"], contentFormat: format.rawValue, payload: payload)
        let time = timestamp.map { Date(timeIntervalSince1970: $0) }
        return ClientSend(request: request, values: ClientReportedValue.leaves(of: nodes, time: time))
    }
}
