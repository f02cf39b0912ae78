import Foundation

/// How the package reaches the device (LwM2M 1.1 Core §E.6): the device pulls it from a URI the server writes to
/// `/5/0/1`, or the server pushes it block-wise into `/5/0/0`.
public enum FirmwareDeliveryMethod: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// The device downloads the package over CoAP (coap://, or coaps:// for a DTLS device).
    case coapPull = "coap-pull"
    /// The device downloads the package over HTTP 1.1 (http:// or https://).
    case httpPull = "http-pull"
    /// The server writes the package to `/5/0/0` with block-wise transfer.
    case push

    /// `/5/0/8` Firmware Update Protocol Support value: CoAP (RFC 7252).
    public static let protocolCoAP = 0
    /// `/5/0/8` value: CoAPS (CoAP over DTLS).
    public static let protocolCoAPS = 1
    /// `/5/0/8` value: HTTP 1.1.
    public static let protocolHTTP = 2
    /// `/5/0/8` value: HTTPS 1.1.
    public static let protocolHTTPS = 3

    /// Whether the device downloads the package itself (`coapPull`, `httpPull`).
    public var isPull: Bool { self != .push }

    /// Picks the method for a device from what it announces (LwM2M 1.1 Core §E.6).
    ///
    /// - `protocols`: the values of `/5/0/8` Firmware Update Protocol Support (0 CoAP, 1 CoAPS, 2 HTTP 1.1,
    ///   3 HTTPS 1.1, 4 CoAP/TCP, 5 CoAP/TLS); `nil` or empty when unknown, which counts as CoAP, plus CoAPS
    ///   for a DTLS device. 4 and 5 are not served by this server and do not count.
    /// - `deliveryMethods`: `/5/0/9` Firmware Update Delivery Method (0 pull only, 1 push only, 2 both); `nil`
    ///   or an unknown value counts as both.
    /// - `dtls`: whether the device talks to the server over DTLS. Such a device downloads only over a secure
    ///   scheme: CoAP pull needs CoAPS, HTTP pull needs HTTPS. Other devices need CoAP for CoAP pull (CoAPS would
    ///   need credentials they do not have) and HTTP or HTTPS for HTTP pull.
    ///
    /// `auto` prefers CoAP pull, then HTTP pull, then push. A requested method the device does not support is
    /// `.unsupported` with the reason, never silently replaced.
    public static func select(
        _ choice: FirmwareMethodChoice, protocols: [Int]?, deliveryMethods: Int?, dtls: Bool
    ) -> FirmwareMethodSelection {
        let announced = protocols.flatMap { $0.isEmpty ? nil : Set($0) }
        let known = announced ?? (dtls ? [protocolCoAP, protocolCoAPS] : [protocolCoAP])
        let pull = deliveryMethods != 1
        let push = deliveryMethods != 0
        let coap = known.contains(dtls ? protocolCoAPS : protocolCoAP)
        let http = dtls ? known.contains(protocolHTTPS) : !known.isDisjoint(with: [protocolHTTP, protocolHTTPS])
        let protocolText = announced.map { "/5/0/8 = \($0.sorted())" } ?? "/5/0/8 unknown"
        let pullOnly = "the device accepts only pull delivery (/5/0/9 = 0)"
        let pushOnly = "the device accepts only push delivery (/5/0/9 = 1)"
        switch choice {
        case .auto:
            if pull && coap { return .method(.coapPull) }
            if pull && http { return .method(.httpPull) }
            if push { return .method(.push) }
            return .unsupported(reason: "the device accepts only pull delivery (/5/0/9 = 0) but no download "
                + "protocol this server offers (\(protocolText))")
        case .coapPull:
            if !pull { return .unsupported(reason: pushOnly) }
            if !coap {
                return .unsupported(reason: "the device does not support \(dtls ? "CoAPS" : "CoAP") downloads "
                    + "(\(protocolText))")
            }
            return .method(.coapPull)
        case .httpPull:
            if !pull { return .unsupported(reason: pushOnly) }
            if !http {
                return .unsupported(reason: "the device does not support \(dtls ? "HTTPS" : "HTTP") downloads "
                    + "(\(protocolText))")
            }
            return .method(.httpPull)
        case .push:
            return push ? .method(.push) : .unsupported(reason: pullOnly)
        }
    }
}
