import Foundation
import Hummingbird
import HummingbirdCore
import LwM2M

/// The query parameters every device-management route takes: `format` (the payload content format) and
/// `timeout` (seconds to wait for the device).
struct DeviceRequestOptions: Sendable, Equatable {
    /// The content format to send payloads in and ask answers in; `nil` lets the server negotiate one.
    var format: ContentFormat?
    /// How long to wait for the device's answer.
    var timeout: Duration
    /// For a sleeping queue-mode device, the deadline of the operation queued instead (`?expiresIn=` seconds).
    var expiresIn: TimeInterval?

    /// The timeout when `?timeout=` is absent.
    static let defaultTimeout = 5
    /// The accepted `?timeout=` values, in whole seconds.
    static let timeoutRange = 1...300
    /// The `?format=` names and their content formats (LwM2M 1.1 Core §7.4).
    static let formats: KeyValuePairs<String, ContentFormat> = [
        "tlv": .tlv, "senml-json": .senmlJSON, "senml-cbor": .senmlCBOR, "json": .lwm2mJSON, "text": .text,
        "opaque": .opaque, "cbor": .cbor,
    ]

    /// Creates options.
    init(format: ContentFormat? = nil, timeout: Duration = .seconds(defaultTimeout)) {
        self.format = format
        self.timeout = timeout
    }

    /// The options of `request`'s query; 400 problem for an unknown format or a timeout outside 1...300.
    init(query parameters: FlatDictionary<Substring, Substring>) throws(Problem) {
        self.init()
        if let value = parameters["format"].map(String.init) {
            guard let format = Self.formats.first(where: { $0.key == value })?.value else {
                throw Problem.invalidQueryParameter(
                    "format", value: value, expected: "one of " + Self.formats.map(\.key).joined(separator: ", "))
            }
            self.format = format
        }
        if let value = parameters["timeout"].map(String.init) {
            guard value.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let seconds = Int(value),
                Self.timeoutRange.contains(seconds)
            else {
                throw Problem.invalidQueryParameter(
                    "timeout", value: value,
                    expected: "whole seconds in \(Self.timeoutRange.lowerBound)...\(Self.timeoutRange.upperBound)")
            }
            timeout = .seconds(seconds)
        }
        if let value = parameters["expiresIn"].map(String.init) {
            guard value.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let seconds = Int(value),
                (1...31_622_400).contains(seconds)
            else {
                throw Problem.invalidQueryParameter("expiresIn", value: value, expected: "whole seconds in 1...31622400")
            }
            expiresIn = TimeInterval(seconds)
        }
    }
}
