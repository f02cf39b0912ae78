import Foundation
import LwM2M

/// The changing values of one simulated device: temperature and humidity that drift smoothly over time, each
/// device with its own phase (derived from its name, so a run is reproducible), plus a little noise; the
/// measured minimum and maximum follow them; Current Time follows the clock and any offset the server wrote.
///
/// The sensors are sampled once per second (`sampleTime(at:)`): within a second the values stay put, so an
/// observer without attributes hears at most one change per second, and a value names its measurement time.
struct SensorDrift: Sendable {
    /// The device's phase in radians, 0..<2π.
    let phase: Double
    /// The FNV-1a hash of the name, seeding the noise.
    private let seed: UInt64

    /// A drift whose phase comes from `name` (FNV-1a).
    init(name: String) {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3
        }
        seed = hash
        phase = Double(hash % 10_000) / 10_000 * 2 * Double.pi
    }

    /// When the sensors last sampled before or at `time`: the start of its second.
    func sampleTime(at time: Date) -> Date {
        Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
    }

    /// The temperature in °C sampled at `time`: 20 + 5·sin(t/60 + phase) plus up to ±0.05 of noise, to 2 decimals.
    func temperature(at time: Date) -> Double {
        let t = sampleTime(at: time).timeIntervalSince1970
        return Self.rounded(20 + 5 * sin(t / 60 + phase) + noise(t, salt: 1) * 0.05)
    }

    /// The relative humidity in %RH sampled at `time`: 50 + 15·sin(t/90 + phase) plus up to ±0.1 of noise.
    func humidity(at time: Date) -> Double {
        let t = sampleTime(at: time).timeIntervalSince1970
        return Self.rounded(50 + 15 * sin(t / 90 + 1.3 * phase) + noise(t, salt: 2) * 0.1)
    }

    /// Noise in -1...1 fixed by the device, the second and `salt` (SplitMix64).
    private func noise(_ second: Double, salt: UInt64) -> Double {
        var x = seed ^ (UInt64(bitPattern: Int64(second)) &* 0x9E37_79B9_7F4A_7C15) ^ (salt &* 0xD1B5_4A32_D192_ED03)
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        return Double(x >> 11) / Double(UInt64(1) << 53) * 2 - 1
    }

    /// The battery level in percent: slowly between 60 and 100.
    func batteryLevel(at time: Date) -> Int64 {
        Int64(80 + 20 * sin(time.timeIntervalSince1970 / 3600 + phase))
    }

    /// Brings the tree's changing values to `time` (skipping any instance the server deleted).
    func refresh(_ tree: inout ClientObjectTree, at time: Date, clockOffset: TimeInterval) {
        update(&tree, objectID: 3303, value: temperature(at: time))
        update(&tree, objectID: 3304, value: humidity(at: time))
        try? tree.setValue(.integer(batteryLevel(at: time)), at: Self.path(3, 0, 9))
        try? tree.setValue(.time(time.addingTimeInterval(clockOffset)), at: Self.path(3, 0, 13))
    }

    /// Resets the measured minimum and maximum of a sensor instance to its current value (resource 5605).
    func resetMinMax(_ tree: inout ClientObjectTree, objectID: UInt16, instanceID: UInt16) {
        guard let current = tree.value(at: Self.path(objectID, instanceID, 5700)) else { return }
        try? tree.setValue(current, at: Self.path(objectID, instanceID, 5601))
        try? tree.setValue(current, at: Self.path(objectID, instanceID, 5602))
    }

    private func update(_ tree: inout ClientObjectTree, objectID: UInt16, value: Double) {
        guard tree.instanceIDs(of: objectID).contains(0) else { return }
        try? tree.setValue(.float(value), at: Self.path(objectID, 0, 5700))
        if value < floatValue(tree, Self.path(objectID, 0, 5601)) ?? .infinity {
            try? tree.setValue(.float(value), at: Self.path(objectID, 0, 5601))
        }
        if value > floatValue(tree, Self.path(objectID, 0, 5602)) ?? -.infinity {
            try? tree.setValue(.float(value), at: Self.path(objectID, 0, 5602))
        }
    }

    private func floatValue(_ tree: ClientObjectTree, _ path: LwM2MPath) -> Double? {
        if case .float(let number)? = tree.value(at: path) { return number }
        return nil
    }

    static func path(_ objectID: UInt16, _ instanceID: UInt16, _ resourceID: UInt16) -> LwM2MPath {
        // Ids below 65535 for the instance: always a valid path.
        (try? LwM2MPath(objectID: objectID, instanceID: instanceID, resourceID: resourceID)) ?? .root
    }

    private static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
