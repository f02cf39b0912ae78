import LwM2M
import Synchronization

/// What every simulated device holds and announces beyond what `Simulation` hands it: the announced format and
/// the object definitions typing its object tree.
///
/// `SimulatorCommand` configures it once, before the simulation creates any device; devices read it when they are
/// created. (A process-wide value because `Simulation` builds the devices; threading it through
/// `Simulation.init` would make this type a plain parameter.)
struct DeviceProfile: Sendable {
    /// The `--format` choice; `nil` means the default for the version (SenML CBOR for 1.1/1.2).
    var format: SimulatedFormat?
    /// The object definitions.
    var model: ObjectModelRegistry

    /// The configured profile, or the built-in definitions with default formats when none was configured.
    static var configured: DeviceProfile {
        storage.withLock { $0 } ?? DeviceProfile(format: nil, model: builtinModel)
    }

    /// Sets the profile devices created from now on use.
    static func configure(_ profile: DeviceProfile) {
        storage.withLock { $0 = profile }
    }

    private static let storage = Mutex<DeviceProfile?>(nil)
    private static let builtinModel = ObjectModelRegistry.loadBuiltin().registry
}
