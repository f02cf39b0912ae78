import Foundation

/// One value a client reported on its own, in a notification (LwM2M 1.1 Core §6.4.2) or a Send (§6.4.6): the leaf
/// path, the value exactly as encoded, and the measurement time the payload carried.
public struct ClientReportedValue: Sendable, Equatable {
    /// `/o/i/r` or `/o/i/r/ri`.
    public var path: LwM2MPath
    /// The value.
    public var value: LwM2MValue
    /// The time the payload gave it (SenML `t`, LwM2M 1.1 Core §7.4.5), `nil` when it gave none.
    public var time: Date?

    /// Creates a value.
    public init(path: LwM2MPath, value: LwM2MValue, time: Date? = nil) {
        self.path = path
        self.value = value
        self.time = time
    }

    /// The leaves of `nodes` in path order, each with `time`.
    static func leaves(of nodes: [LwM2MPath: LwM2MNode], time: Date?) -> [ClientReportedValue] {
        nodes.keys.sorted().flatMap { path in
            NodeAssembler.leaves(of: nodes[path]!, at: path).map {
                ClientReportedValue(path: $0.path, value: $0.value, time: time)
            }
        }
    }
}
