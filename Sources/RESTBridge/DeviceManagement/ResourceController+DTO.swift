import Hummingbird
import LwM2M

extension ResourceController {
    /// The answer to a Read: `{"endpoint":"dev-1","path":"/3/0","format":"application/senml+cbor","content":{...}}`.
    struct ReadResponse: ResponseEncodable, Equatable {
        /// The endpoint name.
        var endpoint: String
        /// The path read.
        var path: String
        /// The media type the device answered in.
        var format: String
        /// The node read.
        var content: NodeDTO
    }

    /// The answer to a Create: `{"path":"/3303/1"}` (and a `Location` header).
    struct CreatedResponse: ResponseEncodable, Equatable {
        /// The new instance's LwM2M path.
        var path: String
    }

    /// The answer to a Discover: `{"endpoint":..,"path":"/3/0","links":[{"path":"/3/0/1","attributes":{"pmin":"10"}}]}`.
    struct DiscoverResponse: ResponseEncodable, Equatable {
        /// The endpoint name.
        var endpoint: String
        /// The path discovered.
        var path: String
        /// The links the device listed, in its order.
        var links: [LinkDTO]
    }

    /// One Discover link: the path and its attributes (`""` for an attribute without value, e.g. `dim` never is).
    struct LinkDTO: Codable, Equatable, Sendable {
        /// The object, instance, resource or resource-instance path.
        var path: String
        /// The attributes by name; of repeated names the first counts.
        var attributes: [String: String]

        /// The JSON form of a link.
        init(_ link: LwM2MLink) {
            path = link.path.description
            var attributes: [String: String] = [:]
            for attribute in link.attributes where attributes[attribute.name] == nil {
                attributes[attribute.name] = attribute.value ?? ""
            }
            self.attributes = attributes
        }
    }
}

extension ContentFormat {
    /// The media type, or `content format <n>` for numbers without one.
    var name: String { mediaType ?? "content format \(rawValue)" }
}
