import LwM2M

extension ResourceOperations {
    /// The DDF spelling of the operations: `R`, `W`, `RW`, `E` or `""` (letters in R, W, E order).
    public var letters: String {
        (contains(.read) ? "R" : "") + (contains(.write) ? "W" : "") + (contains(.execute) ? "E" : "")
    }
}
