import Foundation

/// The outcome of picking a delivery method for a device: a method, or why the requested one cannot be used.
public enum FirmwareMethodSelection: Sendable, Equatable, Hashable {
    /// The method to use.
    case method(FirmwareDeliveryMethod)
    /// The device does not support the requested method (or, for `auto`, any method); `reason` is for operators.
    case unsupported(reason: String)

    /// The selected method; `nil` when unsupported.
    public var method: FirmwareDeliveryMethod? {
        if case .method(let method) = self { return method }
        return nil
    }
}
