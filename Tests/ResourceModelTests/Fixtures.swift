import Foundation
import GRDB
import Logging
import LwM2M
@testable import ResourceModel

/// 2026-11-23T01:02:03.456Z, a millisecond-aligned instant (the database stores milliseconds).
let t0 = Date(timeIntervalSince1970: 1_795_395_723.456)

/// A logger that prints nothing.
let quietLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// A registration with every field set to a recognizable value.
func makeRegistration(
    endpoint: String = "dev-1", id: String = "reg-1", lifetime: Int = 300, binding: String = "U",
    address: String = "192.0.2.1:5683", registeredAt: Date = t0, lastUpdate: Date? = nil,
    objectLinks: [ObjectLink] = [
        ObjectLink(objectID: 1, instanceID: 0), ObjectLink(objectID: 3, instanceID: 0),
        ObjectLink(objectID: 5, version: "1.1"),
    ],
    smsNumber: String? = nil
) -> Registration {
    Registration(
        id: id, endpoint: endpoint, lwm2mVersion: .v1_1, binding: binding, queueMode: false, lifetime: lifetime,
        smsNumber: smsNumber, rootPath: "/", objectLinks: objectLinks, supportedContentFormats: [110, 112],
        address: address, registeredAt: registeredAt, lastUpdate: lastUpdate ?? registeredAt)
}

/// A fresh empty directory under the system temporary directory.
func makeTemporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("resource-model-tests-\(UUID().uuidString)", isDirectory: true)
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

extension AppDatabase {
    /// The `endpoint` row of `name` with its row id (a SQLite detail the store protocol does not show).
    func endpointRecord(named name: String) async throws -> EndpointRecord? {
        try await writer.read { db in try EndpointRecord.filter(EndpointRecord.Columns.name == name).fetchOne(db) }
    }

    /// The `resource_type` rows with their row ids, by object id then resource id.
    func resourceTypeRecords() async throws -> [ResourceTypeRecord] {
        try await writer.read { db in
            try ResourceTypeRecord
                .order(ResourceTypeRecord.Columns.objectId, ResourceTypeRecord.Columns.resourceId).fetchAll(db)
        }
    }
}
