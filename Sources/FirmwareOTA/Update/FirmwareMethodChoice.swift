import Foundation

/// The delivery method an operator asks for, for one update or a whole campaign: `auto` lets the server pick
/// from what the device announces (`FirmwareDeliveryMethod.select(_:protocols:deliveryMethods:dtls:)`).
public enum FirmwareMethodChoice: String, Sendable, Equatable, Hashable, Codable, CaseIterable {
    /// Pick from `/5/0/8` and `/5/0/9`: CoAP pull, then HTTP pull, then push.
    case auto
    /// Pull over CoAP (coap://, coaps:// for a DTLS device).
    case coapPull = "coap-pull"
    /// Pull over HTTP (http:// or https://; https:// for a DTLS device).
    case httpPull = "http-pull"
    /// Push: the server writes the image to `/5/0/0`.
    case push
}
