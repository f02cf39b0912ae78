import GRDB

extension AppDatabase {
    /// v3: the operation queue (issue 5). `endpoint_operation` gains `retriesAllowed` (whether a send that may
    /// have arrived can be repeated: idempotent kinds, or an operator's explicit allowance), and two indexes:
    /// the dispatcher's scan for due operations and deadlines, and the API's listing by status.
    static func createOperationQueue(_ db: Database) throws {
        try db.alter(table: "endpoint_operation") { t in
            t.add(column: "retriesAllowed", .boolean).notNull().defaults(to: false)
        }
        try db.create(index: "endpoint_operation_on_status_notBefore", on: "endpoint_operation",
                      columns: ["status", "notBefore"])
        try db.create(index: "endpoint_operation_on_status_expiresAt", on: "endpoint_operation",
                      columns: ["status", "expiresAt"])
    }
}
