import Foundation
import LwM2M

/// The object tree a simulated device starts with (typed by the project's object definitions).
enum SimulatedObjects {
    /// The objects every device holds; the object model must define them all.
    static let required: [UInt16] = [0, 1, 3, 4, 5, 6, 3303, 3304]

    /// A fresh tree for endpoint `name`:
    /// Security `/0/0` (server URI, NoSec, short server id 1), Server `/1/0` (lifetime, binding U — UQ for a 1.0
    /// device in queue mode —, Registration Update Trigger), Device `/3/0` (Reboot and Factory Reset executable,
    /// power sources, error code, clock, supported bindings U or, in queue mode, UQ),
    /// Connectivity Monitoring `/4/0`, Firmware Update `/5/0` (LwM2M 1.1 Core §E.6: Idle, no package, pull over
    /// CoAP and HTTP — and CoAPS for a `dtls` device —, push and pull; Cancel for LwM2M 1.1 and later), Location
    /// `/6/0`, Temperature `/3303/0` and Humidity `/3304/0` with measured minimum/maximum and their reset.
    /// `/3/0/3` Firmware Version is `firmwareVersion`.
    static func tree(name: String, serverURI: String, lifetime: Int, version: LwM2MVersion, queueMode: Bool = false,
                     announced: [ContentFormat], model: ObjectModelRegistry, drift: SensorDrift, now: Date,
                     firmwareVersion: String = "1.0.0", dtls: Bool = false)
        throws(LwM2MCodecError) -> ClientObjectTree
    {
        var tree = ClientObjectTree(
            model: model, defaultFormat: ClientObjectTree.preferredFormat(version: version, announced: announced))
        func instance(_ resources: [LwM2MResource]) throws(LwM2MCodecError) -> LwM2MObjectInstance {
            try LwM2MObjectInstance(id: 0, resources: resources)
        }
        func string(_ id: UInt16, _ text: String) -> LwM2MResource { .single(id: id, value: .string(text)) }
        func integer(_ id: UInt16, _ number: Int64) -> LwM2MResource { .single(id: id, value: .integer(number)) }
        func float(_ id: UInt16, _ number: Double) -> LwM2MResource { .single(id: id, value: .float(number)) }
        func integers(_ id: UInt16, _ numbers: [Int64]) throws(LwM2MCodecError) -> LwM2MResource {
            try .multiple(id: id, type: .integer, instances: Self.indexed(numbers.map(LwM2MValue.integer)))
        }

        try tree.setInstance(instance([
            string(0, serverURI), .single(id: 1, value: .boolean(false)), integer(2, 3),
            .single(id: 3, value: .opaque([])), .single(id: 4, value: .opaque([])), .single(id: 5, value: .opaque([])),
            integer(10, 1),
        ]), of: 0)
        try tree.setInstance(instance([
            integer(0, 1), integer(1, Int64(lifetime)), .single(id: 6, value: .boolean(true)),
            string(7, queueMode && version == .v1_0 ? "UQ" : "U"),
        ]), of: 1, executables: [8])
        try tree.setInstance(instance([
            string(0, "lwm2m-sim"), string(1, "LS-\(version.rawValue)"), string(2, name), string(3, firmwareVersion),
            try integers(6, [1, 5]), try integers(7, [3800, 5000]), integer(9, drift.batteryLevel(at: now)),
            integer(10, 15_360), try integers(11, [0]), .single(id: 13, value: .time(now)), string(14, "+00:00"),
            string(15, "Etc/UTC"), string(16, queueMode ? "UQ" : "U"), string(17, "sensor"), string(18, "sim-hw-1"),
            string(19, "lwm2m-sim 1.0"),
        ]), of: 3, executables: [4, 5])
        let octet = Int64(drift.phase / (2 * Double.pi) * 250) + 2
        try tree.setInstance(instance([
            integer(0, 41), try integers(1, [41, 21]), integer(2, -60), integer(3, 90),
            try .multiple(id: 4, type: .string, instances: [0: .string("10.0.0.\(octet)")]),
            try .multiple(id: 5, type: .string, instances: [0: .string("10.0.0.1")]),
        ]), of: 4)
        try tree.setInstance(instance([
            .single(id: 0, value: .opaque([])), string(1, ""), integer(3, 0), integer(5, 0), string(6, ""),
            string(7, ""), try integers(8, dtls ? [0, 1, 2] : [0, 2]), integer(9, 2),
        ]), of: 5, executables: version == .v1_0 ? [2] : [2, 10])
        try tree.setInstance(instance([
            float(0, 48.85 + drift.phase / 100), float(1, 2.35 + drift.phase / 100),
            .single(id: 5, value: .time(now)),
        ]), of: 6)
        let temperature = drift.temperature(at: now)
        try tree.setInstance(instance([
            float(5700, temperature), string(5701, "Cel"), float(5601, temperature), float(5602, temperature),
            float(5603, -40), float(5604, 85),
        ]), of: 3303, executables: [5605])
        let humidity = drift.humidity(at: now)
        try tree.setInstance(instance([
            float(5700, humidity), string(5701, "%RH"), float(5601, humidity), float(5602, humidity),
            float(5603, 0), float(5604, 100),
        ]), of: 3304, executables: [5605])
        return tree
    }

    /// Values keyed 0, 1, 2, ... as resource instances.
    private static func indexed(_ values: [LwM2MValue]) -> [UInt16: LwM2MValue] {
        Dictionary(uniqueKeysWithValues: values.enumerated().map { (UInt16($0.offset), $0.element) })
    }
}
