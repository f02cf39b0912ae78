import Foundation
import LwM2M
import Testing

@testable import ResourceModel

/// One implementation of the store protocols, as the contract suites run it: a name for the test report and a
/// way to make a fresh, empty set of stores (all of one backend, so a suite can set up one aggregate through
/// another). A new backend (PostgreSQL, ...) is one more entry in `storeFactories`.
struct StoreFactory: Sendable, CustomTestStringConvertible {
    /// The backend's name in test output.
    let name: String
    /// Makes fresh, empty stores.
    let make: @Sendable () throws -> Stores

    var testDescription: String { name }
}

/// Every backend the contracts run against: SQLite in memory (a `DatabaseQueue`) and in a temporary file (a WAL
/// `DatabasePool`, as the server opens it).
let storeFactories: [StoreFactory] = [
    StoreFactory(name: "SQLite in memory") { try AppDatabase.inMemory().stores },
    StoreFactory(name: "SQLite file") { try AppDatabase.open(directory: makeTemporaryDirectory()).stores },
]

extension Stores {
    /// Registers `names` (registration ids `reg-<name>`), all online.
    func register(_ names: [String], at time: Date = t0) async throws {
        try await endpoints.apply(names.map {
            .registered(makeRegistration(endpoint: $0, id: "reg-\($0)", registeredAt: time), replaced: nil)
        })
    }
}
