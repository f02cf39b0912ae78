import Foundation
import LwM2M
import ResourceModel

extension FirmwareResource {
    /// The resource's path.
    var lwm2mPath: LwM2MPath {
        // The raw values are valid paths by construction.
        try! LwM2MPath(rawValue)
    }
}

extension FirmwareRequest {
    /// The queued operations that carry this request, each with the one resource it reads (reads are one
    /// operation per resource: LwM2M 1.0 devices have no Composite-Read). `uri` is the package URI of a pull;
    /// `pushPart` gives the part of a push that starts at a byte (the orchestrator queues the next part when
    /// one finishes).
    func operations(packageURI uri: String?, pushPart: (Int64) -> BlockWrite? = { _ in nil })
        -> [(operation: NewOperation, resource: FirmwareResource?)]
    {
        func write(_ text: String) -> NewOperation {
            NewOperation(request: .device(.write(
                FirmwareResource.packageURI.lwm2mPath, .resource(.single(id: 1, value: .string(text))),
                mode: .replace)))
        }
        switch self {
        case .observe(let resources):
            return [(NewOperation(request: .observe(paths: resources.map(\.lwm2mPath), attributes: nil,
                                                    composite: false)), nil)]
        case .cancelObservation(let resources):
            return [(NewOperation(request: .cancelObserve(paths: resources.map(\.lwm2mPath))), nil)]
        case .read(let resources):
            return resources.map { (NewOperation(request: .device(.read($0.lwm2mPath))), $0) }
        case .writePackageURI:
            return [(write(uri ?? ""), nil)]
        case .writeEmptyPackageURI:
            return [(write(""), nil)]
        case .executeUpdate:
            // At most once: a second Update could install twice.
            return [(NewOperation(request: .device(.execute(FirmwareResource.update.lwm2mPath, arguments: nil)),
                                  maxAttempts: 1), nil)]
        case .executeCancel:
            return [(NewOperation(request: .device(.execute(FirmwareResource.cancel.lwm2mPath, arguments: nil)),
                                  maxAttempts: 1), nil)]
        case .pushPackage(let offset):
            return pushPart(offset).map { [(NewOperation(request: .blockWrite($0)), nil)] } ?? []
        }
    }
}

extension LwM2MNode {
    /// The single value of a resource node (a Read of `/o/i/r`), or of a resource instance.
    var singleValue: LwM2MValue? {
        switch self {
        case .resource(let resource): resource.value
        case .resourceInstance(let instance): instance.value
        case .object, .objectInstance: nil
        }
    }
}

extension LwM2MValue {
    /// The value as an integer, when it is one (some devices answer State in a float or a string).
    var integerValue: Int? {
        switch self {
        case .integer(let value): Int(exactly: value)
        case .unsignedInteger(let value): Int(exactly: value)
        case .float(let value): Int(exactly: value)
        case .string(let text): Int(text.trimmingCharacters(in: .whitespaces))
        case .boolean, .opaque, .time, .objlnk, .corelnk: nil
        }
    }

    /// The value as text (a version).
    var textValue: String? {
        switch self {
        case .string(let text): text
        case .opaque(let bytes): String(bytes: bytes, encoding: .utf8)
        case .integer, .unsignedInteger, .float, .boolean, .time, .objlnk, .corelnk: nil
        }
    }
}
