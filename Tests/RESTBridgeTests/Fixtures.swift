import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import LwM2M
import RESTBridge
import ResourceModel

/// 2026-11-23T01:02:03.456Z.
let t0 = Date(timeIntervalSince1970: 1_795_395_723.456)

/// The token of the authenticated test applications.
let testToken = "s3cret-token"

/// A logger that prints nothing.
let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// A registration for `endpoint`.
func makeRegistration(
    endpoint: String, id: String, objectLinks: [ObjectLink] = [ObjectLink(objectID: 3, instanceID: 0)],
    smsNumber: String? = nil, address: String = "192.0.2.1:5683"
) -> Registration {
    Registration(
        id: id, endpoint: endpoint, lwm2mVersion: .v1_1, binding: "UQ", queueMode: true, lifetime: 300,
        smsNumber: smsNumber, rootPath: "/", objectLinks: objectLinks, supportedContentFormats: [110, 112],
        address: address, registeredAt: t0, lastUpdate: t0.addingTimeInterval(1.5))
}

/// An in-memory database with `alpha` (online), `beta` (online, SMS), `gamma` (de-registered) and
/// `urn:imei:490154203237518` (online).
func makeSeededDatabase() async throws -> AppDatabase {
    let database = try AppDatabase.inMemory()
    let gamma = makeRegistration(endpoint: "gamma", id: "g1")
    try await database.apply([
        .registered(
            makeRegistration(
                endpoint: "alpha", id: "a1",
                objectLinks: [
                    ObjectLink(objectID: 1, instanceID: 0), ObjectLink(objectID: 3, instanceID: 0),
                    ObjectLink(objectID: 5, version: "1.1"),
                ]),
            replaced: nil),
        .registered(gamma, replaced: nil),
        .registered(makeRegistration(endpoint: "beta", id: "b1", smsNumber: "+15550100"), replaced: nil),
        .registered(makeRegistration(endpoint: "urn:imei:490154203237518", id: "u1"), replaced: nil),
        .deregistered(gamma),
    ])
    return database
}

/// The application under test, with or without a token, over a fake device-management side.
func makeApplication(
    database: AppDatabase, token: String? = testToken, devices: FakeDeviceManagement = FakeDeviceManagement()
) -> some ApplicationProtocol {
    buildApplication(
        configuration: RESTConfiguration(host: "127.0.0.1", port: 0, apiToken: token), stores: database.stores,
        deviceManagement: devices, logger: quietLogger)
}

/// `Authorization: Bearer <testToken>`.
let authorized: HTTPFields = [.authorization: "Bearer \(testToken)"]

/// The body parsed as a JSON object.
func jsonObject(_ response: TestResponse) throws -> [String: Any] {
    let value = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
    guard let object = value as? [String: Any] else { throw FixtureError("body is not a JSON object: \(value)") }
    return object
}

/// The body parsed as a JSON array of objects.
func jsonArray(_ response: TestResponse) throws -> [[String: Any]] {
    let value = try JSONSerialization.jsonObject(with: Data(buffer: response.body))
    guard let array = value as? [[String: Any]] else { throw FixtureError("body is not a JSON array: \(value)") }
    return array
}

/// A problem+json body, decoded (with the extension members this API uses).
struct ProblemBody: Decodable, Equatable {
    var type: String
    var title: String
    var status: Int
    var detail: String?
    var instance: String?
    var coapCode: String? = nil
    var pointer: String? = nil
}

/// The body decoded as a problem.
func problem(_ response: TestResponse) throws -> ProblemBody {
    try JSONDecoder().decode(ProblemBody.self, from: Data(buffer: response.body))
}

/// A test precondition that did not hold.
struct FixtureError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
