import Testing
@testable import LwM2M

/// Bytes from a hex string; spaces and newlines are ignored.
func hexBytes(_ text: String) -> [UInt8] {
    let digits = text.filter { !$0.isWhitespace }
    precondition(digits.count % 2 == 0, "odd hex string")
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

/// Lower-case hex of bytes, for readable failures.
func hexString(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

/// UTF-8 bytes of a string.
func utf8Bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

/// A path from a literal known to be valid.
func lwPath(_ text: String) -> LwM2MPath { try! LwM2MPath(text) }

/// Runs `body` and checks it throws a codec error of `kind`; returns the error.
@discardableResult
func expectCodecError<T>(
    _ kind: LwM2MCodecError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws(LwM2MCodecError) -> T
) -> LwM2MCodecError? {
    do throws(LwM2MCodecError) {
        let value = try body()
        Issue.record("expected a \(kind) error, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        return error
    }
}

/// An object model for tests, built from the facts of the OMA DDF files in /work/shared/oma-objects
/// (3 Device, 1 Server, 2 Access Control, 3303 Temperature, 5 Firmware Update), the objects 65 and 66 of the
/// LwM2M 1.0 TLV object-link example, and a synthetic object 9999 with one resource of every type.
struct CodecTestModel: ObjectModelProvider {
    let objects: [UInt16: ObjectDefinition]

    func object(_ objectID: UInt16) -> ObjectDefinition? { objects[objectID] }

    static let empty = CodecTestModel(objects: [:])

    static let standard: CodecTestModel = {
        func resource(_ id: UInt16, _ name: String, _ type: ResourceDataType, multiple: Bool = false,
                      operations: ResourceOperations = .read) -> ResourceDefinition
        {
            ResourceDefinition(id: id, name: name, operations: type == .none ? .execute : operations,
                               multiple: multiple, mandatory: false, type: type)
        }
        func object(_ id: UInt16, _ name: String, multiple: Bool, _ resources: [ResourceDefinition]) -> ObjectDefinition {
            ObjectDefinition(id: id, name: name, multipleInstances: multiple, mandatory: false,
                             resources: Dictionary(uniqueKeysWithValues: resources.map { ($0.id, $0) }))
        }
        let device = object(3, "Device", multiple: false, [
            resource(0, "Manufacturer", .string),
            resource(1, "Model Number", .string),
            resource(2, "Serial Number", .string),
            resource(3, "Firmware Version", .string),
            resource(4, "Reboot", .none),
            resource(6, "Available Power Sources", .integer, multiple: true),
            resource(7, "Power Source Voltage", .integer, multiple: true),
            resource(8, "Power Source Current", .integer, multiple: true),
            resource(9, "Battery Level", .integer),
            resource(10, "Memory Free", .integer),
            resource(11, "Error Code", .integer, multiple: true),
            resource(13, "Current Time", .time, operations: [.read, .write]),
            resource(14, "UTC Offset", .string, operations: [.read, .write]),
            resource(15, "Timezone", .string, operations: [.read, .write]),
            resource(16, "Supported Binding and Modes", .string),
            resource(22, "ExtDevInfo", .objlnk, multiple: true),
        ])
        let server = object(1, "LwM2M Server", multiple: true, [
            resource(0, "Short Server ID", .integer),
            resource(1, "Lifetime", .integer, operations: [.read, .write]),
            resource(2, "Default Minimum Period", .integer, operations: [.read, .write]),
            resource(3, "Default Maximum Period", .integer, operations: [.read, .write]),
            resource(4, "Disable", .none),
            resource(6, "Notification Storing When Disabled or Offline", .boolean, operations: [.read, .write]),
            resource(7, "Binding", .string, operations: [.read, .write]),
            resource(10, "APN Link", .objlnk, operations: [.read, .write]),
            resource(11, "TLS-DTLS Alert Code", .unsignedInteger),
            resource(12, "Last Bootstrapped", .time),
            resource(23, "Mute Send", .boolean, operations: [.read, .write]),
        ])
        let acl = object(2, "LwM2M Access Control", multiple: true, [
            resource(0, "Object ID", .integer),
            resource(1, "Object Instance ID", .integer),
            resource(2, "ACL", .integer, multiple: true, operations: [.read, .write]),
            resource(3, "Access Control Owner", .integer, operations: [.read, .write]),
        ])
        let temperature = object(3303, "Temperature", multiple: true, [
            resource(5700, "Sensor Value", .float),
            resource(5601, "Min Measured Value", .float),
            resource(5701, "Sensor Units", .string),
            resource(5518, "Timestamp", .time),
            resource(6050, "Fractional Timestamp", .float),
        ])
        let firmware = object(5, "Firmware Update", multiple: false, [
            resource(0, "Package", .opaque, operations: .write),
            resource(1, "Package URI", .string, operations: [.read, .write]),
            resource(2, "Update", .none),
            resource(3, "State", .integer),
            resource(5, "Update Result", .integer),
            resource(8, "Firmware Update Protocol Support", .integer, multiple: true),
            resource(13, "Maximum Defer Period", .unsignedInteger, operations: [.read, .write]),
            resource(14, "Automatic Upgrade at Download", .boolean, operations: [.read, .write]),
        ])
        let object65 = object(65, "object link tests 65", multiple: true, [
            resource(0, "res0", .objlnk, multiple: true),
            resource(1, "res1", .string),
            resource(2, "res2", .integer),
        ])
        let object66 = object(66, "object link tests 66", multiple: true, [
            resource(0, "res0", .string),
            resource(1, "res1", .string),
            resource(2, "res2", .objlnk),
        ])
        var allTypes: [ResourceDefinition] = []
        for (index, type) in AllTypes.types.enumerated() {
            allTypes.append(resource(UInt16(index), "single \(type.rawValue)", type))
            allTypes.append(resource(UInt16(10 + index), "multiple \(type.rawValue)", type, multiple: true))
        }
        let synthetic = object(AllTypes.objectID, "All types (synthetic)", multiple: true, allTypes)
        return CodecTestModel(objects: Dictionary(uniqueKeysWithValues: [
            device, server, acl, temperature, firmware, object65, object66, synthetic,
        ].map { ($0.id, $0) }))
    }()
}

/// Sample values of every data type for round trips, in the synthetic object 9999: resource `i` is single of
/// `types[i]`, resource `10 + i` multiple of `types[i]`.
enum AllTypes {
    static let objectID: UInt16 = 9999

    static let types: [ResourceDataType] = [
        .string, .integer, .unsignedInteger, .float, .boolean, .opaque, .time, .objlnk, .corelnk,
    ]

    /// Two distinct sample values per type.
    static func samples(_ type: ResourceDataType) -> [LwM2MValue] {
        switch type {
        case .string: [.string("Open Mobile Alliance"), .string("ünïcödé \"quoted\" \\ \n")]
        case .integer: [.integer(-129), .integer(Int64.max)]
        case .unsignedInteger: [.unsignedInteger(200), .unsignedInteger(UInt64.max)]
        case .float: [.float(1.5), .float(-23.1)]
        case .boolean: [.boolean(true), .boolean(false)]
        case .opaque: [.opaque([0xAB, 0xCD, 0xEF]), .opaque([])]
        case .time: [.time(1_367_491_215), .time(-1)]
        case .objlnk: [.objlnk(objectID: 66, instanceID: 0), .objlnk(objectID: 65535, instanceID: 65535)]
        case .corelnk:
            [.corelnk([WebLink(target: "/3/0", parameters: [LinkParameter(name: "pmin", value: "10")])]),
             .corelnk([WebLink(target: "/1"), WebLink(target: "/3", parameters: [LinkParameter(name: "ver", value: "1.1")])])]
        case .none: []
        }
    }

    /// An instance of object 9999 with every single and multiple resource filled.
    static func instance(_ id: UInt16) -> LwM2MObjectInstance {
        var resources: [LwM2MResource] = []
        for (index, type) in types.enumerated() {
            let values = samples(type)
            resources.append(.single(id: UInt16(index), value: values[0]))
            resources.append(try! .multiple(id: UInt16(10 + index), type: type,
                                            instances: [0: values[0], 7: values[1]]))
        }
        return try! LwM2MObjectInstance(id: id, resources: resources)
    }
}

/// The Device instance of the LwM2M specification's examples (LwM2M 1.0 §6.4.3 / 1.1 §7.4.3 TLV, LwM2M JSON and
/// SenML JSON examples): the values every Device vector encodes.
enum DeviceExample {
    static let instance: LwM2MObjectInstance = try! LwM2MObjectInstance(id: 0, resources: [
        .single(id: 0, value: .string("Open Mobile Alliance")),
        .single(id: 1, value: .string("Lightweight M2M Client")),
        .single(id: 2, value: .string("345000123")),
        .single(id: 3, value: .string("1.0")),
        try! .multiple(id: 6, type: .integer, instances: [0: .integer(1), 1: .integer(5)]),
        try! .multiple(id: 7, type: .integer, instances: [0: .integer(3800), 1: .integer(5000)]),
        try! .multiple(id: 8, type: .integer, instances: [0: .integer(125), 1: .integer(900)]),
        .single(id: 9, value: .integer(100)),
        .single(id: 10, value: .integer(15)),
        try! .multiple(id: 11, type: .integer, instances: [0: .integer(0)]),
        .single(id: 13, value: .time(1_367_491_215)),
        .single(id: 14, value: .string("+02:00")),
        .single(id: 16, value: .string("U")),
    ])

    /// The TLV of the instance as an array of resource TLVs (spec example, no object-instance wrapper).
    static let tlvResources = """
        C8 00 14 4F 70 65 6E 20 4D 6F 62 69 6C 65 20 41 6C 6C 69 61 6E 63 65
        C8 01 16 4C 69 67 68 74 77 65 69 67 68 74 20 4D 32 4D 20 43 6C 69 65 6E 74
        C8 02 09 33 34 35 30 30 30 31 32 33
        C3 03 31 2E 30
        86 06 41 00 01 41 01 05
        88 07 08 42 00 0E D8 42 01 13 88
        87 08 41 00 7D 42 01 03 84
        C1 09 64
        C1 0A 0F
        83 0B 41 00 00
        C4 0D 51 82 42 8F
        C6 0E 2B 30 32 3A 30 30
        C1 10 55
        """

    /// The same wrapped in one object-instance TLV (spec example).
    static let tlvInstance = "08 00 79 " + tlvResources
}

/// A deterministic pseudo-random generator (CodecFuzzRNG) for reproducible fuzzing.
struct CodecFuzzRNG: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Mutations of a valid input: bit flips, byte replacement, insertion, deletion, truncation, duplication.
func fuzzMutate(_ input: [UInt8], using rng: inout CodecFuzzRNG) -> [UInt8] {
    var bytes = input
    let rounds = Int.random(in: 1...4, using: &rng)
    for _ in 0..<rounds {
        switch Int.random(in: 0..<6, using: &rng) {
        case 0 where !bytes.isEmpty:
            let index = Int.random(in: 0..<bytes.count, using: &rng)
            bytes[index] ^= UInt8(1) << UInt8.random(in: 0..<8, using: &rng)
        case 1 where !bytes.isEmpty:
            bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
        case 2:
            bytes.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...bytes.count, using: &rng))
        case 3 where !bytes.isEmpty:
            bytes.remove(at: Int.random(in: 0..<bytes.count, using: &rng))
        case 4 where !bytes.isEmpty:
            bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &rng)))
        case 5 where !bytes.isEmpty:
            let start = Int.random(in: 0..<bytes.count, using: &rng)
            let end = Int.random(in: start...bytes.count, using: &rng)
            bytes.insert(contentsOf: bytes[start..<end], at: Int.random(in: 0...bytes.count, using: &rng))
        default:
            bytes.append(UInt8.random(in: 0...255, using: &rng))
        }
    }
    return bytes
}

/// Every (path, value) leaf of a node as a set, to compare structures.
func leafSet(_ node: LwM2MNode, at path: LwM2MPath) -> Set<String> {
    Set(NodeAssembler.leaves(of: node, at: path).map { "\($0.path)=\($0.value)" })
}
