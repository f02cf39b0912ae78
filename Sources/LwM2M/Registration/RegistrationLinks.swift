/// What a client's registration payload announces: root path, objects/instances and content formats.
///
/// LwM2M 1.1 Core §6.2.1 and Transport §6.2: the payload is CoRE link format; a link with
/// `rt="oma.lwm2m"` names the alternate root path and may carry `ct=` with the supported formats;
/// every other link is `</o>` or `</o/i>` under that root, optionally with `ver=`.
public struct RegistrationLinks: Sendable, Equatable {
    /// The alternate path ("/" when not announced).
    public var rootPath: String
    /// The objects and instances in announcement order.
    public var objectLinks: [ObjectLink]
    /// The content formats from the root link's `ct=` (empty when not announced).
    public var contentFormats: [UInt16]

    /// Creates a value.
    public init(rootPath: String = "/", objectLinks: [ObjectLink] = [], contentFormats: [UInt16] = []) {
        self.rootPath = rootPath
        self.objectLinks = objectLinks
        self.contentFormats = contentFormats
    }

    /// Parses a registration payload; link-format syntax errors and invalid object paths are `badRequest`.
    public static func parse(_ payload: [UInt8]) throws(RegistrationError) -> RegistrationLinks {
        let links: [WebLink]
        do {
            links = try LinkFormat.parse(payload)
        } catch {
            throw RegistrationError(.badRequest, "malformed link-format payload: \(error)")
        }
        var result = RegistrationLinks()
        if let root = links.first(where: { $0["rt"] == "oma.lwm2m" }) {
            result.rootPath = root.target.hasSuffix("/") ? root.target : root.target + "/"
            if !result.rootPath.hasPrefix("/") { result.rootPath = "/" + result.rootPath }
            if let ct = root["ct"] {
                for item in ct.split(separator: " ") {
                    guard let format = UInt16(item) else {
                        throw RegistrationError(.badRequest, "invalid ct value '\(ct)' on the root link")
                    }
                    result.contentFormats.append(format)
                }
            }
        }
        for link in links where link["rt"] != "oma.lwm2m" {
            guard link.target.hasPrefix(result.rootPath) || link.target.hasPrefix("/") else {
                throw RegistrationError(.badRequest, "link <\(link.target)> is not an absolute path")
            }
            var relative = Substring(link.target)
            if relative.hasPrefix(result.rootPath) {
                relative = relative.dropFirst(result.rootPath.count)
            } else {
                relative = relative.dropFirst()
            }
            let segments = relative.split(separator: "/", omittingEmptySubsequences: false)
            if segments.isEmpty || (segments.count == 1 && segments[0].isEmpty) { continue }  // e.g. "</>;ct=..."
            guard segments.allSatisfy({ $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) && !$0.isEmpty }) else {
                // Not an LwM2M object path (LwM2M 1.1 Core §6.2.1 allows only /o and /o/i here).
                throw RegistrationError(.badRequest, "link <\(link.target)> is not an object or instance path")
            }
            guard segments.count <= 2 else {
                throw RegistrationError(.badRequest, "link <\(link.target)> is deeper than an object instance")
            }
            guard let objectID = UInt16(segments[0]), objectID != UInt16.max else {
                throw RegistrationError(.badRequest, "object id out of range in <\(link.target)>")
            }
            var instanceID: UInt16?
            if segments.count == 2 {
                guard let id = UInt16(segments[1]), id != UInt16.max else {
                    throw RegistrationError(.badRequest, "instance id out of range in <\(link.target)>")
                }
                instanceID = id
            }
            result.objectLinks.append(ObjectLink(objectID: objectID, instanceID: instanceID, version: link["ver"]))
        }
        return result
    }
}
