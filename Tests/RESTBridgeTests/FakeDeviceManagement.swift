import CoAP
import Foundation
import LwM2M
import Synchronization

@testable import RESTBridge

/// A `DeviceManagement` that records every request and answers from a closure (default: an error, so a test
/// that forgets to say what the device answers fails loudly).
final class FakeDeviceManagement: DeviceManagement {
    /// One recorded `send`.
    struct Call: Equatable, Sendable {
        var request: DeviceRequest
        var endpoint: String
        var format: ContentFormat?
        var timeout: Duration
    }

    /// How the fake answers a request.
    typealias Answer = @Sendable (DeviceRequest) -> Result<DeviceResponse, DeviceRequestError>

    let objectModel: ObjectModelRegistry
    private let answer: Answer
    private let recorded = Mutex<[Call]>([])

    init(
        model: ObjectModelRegistry = testModel,
        answer: @escaping Answer = { _ in .failure(DeviceRequestError(.invalidResponse, "no canned answer")) }
    ) {
        self.objectModel = model
        self.answer = answer
    }

    /// A fake answering every request with `response`.
    convenience init(answering response: DeviceResponse) {
        self.init { _ in .success(response) }
    }

    /// A fake failing every request with `error`.
    convenience init(failing error: DeviceRequestError) {
        self.init { _ in .failure(error) }
    }

    /// Every request sent so far, in order.
    var calls: [Call] { recorded.withLock { $0 } }

    func send(_ request: DeviceRequest, to endpoint: String, format: ContentFormat?, timeout: Duration)
        async throws(DeviceRequestError) -> DeviceResponse
    {
        recorded.withLock { $0.append(Call(request: request, endpoint: endpoint, format: format, timeout: timeout)) }
        return try answer(request).get()
    }
}

/// The object model of the tests: a subset of Device (3) with its real ids and types, a multi-instance
/// Temperature (3303), and object 30000 with one single (0–8) and one multiple (10–18) resource of every type
/// plus an executable resource 20.
let testModel: ObjectModelRegistry = {
    func resource(
        _ id: UInt16, _ name: String, _ operations: ResourceOperations, _ type: ResourceDataType, multiple: Bool = false,
        mandatory: Bool = false, units: String = "", range: String = ""
    ) -> ResourceDefinition {
        ResourceDefinition(
            id: id, name: name, operations: operations, multiple: multiple, mandatory: mandatory, type: type,
            rangeEnumeration: range, units: units, description: "\(name) description")
    }
    let device = ObjectDefinition(
        id: 3, name: "Device", description: "Device description", version: "1.2", lwm2mVersion: "1.1",
        urn: "urn:oma:lwm2m:oma:3:1.2", multipleInstances: false, mandatory: true,
        resources: Dictionary(uniqueKeysWithValues: [
            resource(0, "Manufacturer", .read, .string),
            resource(4, "Reboot", .execute, .none, mandatory: true),
            resource(6, "Available Power Sources", .read, .integer, multiple: true, range: "0..7"),
            resource(9, "Battery Level", .read, .integer, units: "%", range: "0..100"),
            resource(13, "Current Time", [.read, .write], .time),
            resource(14, "UTC Offset", [.read, .write], .string),
        ].map { ($0.id, $0) }))
    let oldDevice = ObjectDefinition(
        id: 3, name: "Device (old)", version: "1.0", multipleInstances: false, mandatory: true, resources: [:])
    let temperature = ObjectDefinition(
        id: 3303, name: "Temperature", version: "1.1", multipleInstances: true, mandatory: false,
        resources: Dictionary(uniqueKeysWithValues: [
            resource(5700, "Sensor Value", .read, .float, mandatory: true, units: "Cel"),
            resource(5701, "Sensor Units", .read, .string),
        ].map { ($0.id, $0) }))
    let types: [ResourceDataType] = [
        .string, .integer, .unsignedInteger, .float, .boolean, .opaque, .time, .objlnk, .corelnk,
    ]
    var typeResources: [ResourceDefinition] = []
    for (index, type) in types.enumerated() {
        typeResources.append(resource(UInt16(index), "Single \(type.rawValue)", [.read, .write], type))
        typeResources.append(resource(UInt16(10 + index), "Multiple \(type.rawValue)", [.read, .write], type, multiple: true))
    }
    typeResources.append(resource(20, "Run", .execute, .none))
    let typesObject = ObjectDefinition(
        id: 30000, name: "Types", version: "1.0", multipleInstances: true, mandatory: false,
        resources: Dictionary(uniqueKeysWithValues: typeResources.map { ($0.id, $0) }))
    return ObjectModelRegistry(definitions: [oldDevice, device, temperature, typesObject])
}()

/// A path literal for tests.
func path(_ text: String) -> LwM2MPath {
    try! LwM2MPath(text)
}
