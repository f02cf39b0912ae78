import CoAP
import LwM2M

/// The LwM2M operation a server request asks for, as `--request-log` names it: the mapping of
/// `ClientObjectTree.process` (LwM2M 1.1 Transport §6.4), read from the method, path, options and payload alone,
/// so a request the tree refuses (or a dropped one) is named by what it asked for.
enum ServerOperation: String, Sendable {
    case read
    case discover
    case write
    case partialWrite = "partial-write"
    case writeAttributes = "write-attributes"
    case execute
    case create
    case delete
    case compositeRead = "composite-read"
    case compositeWrite = "composite-write"
    case observe
    case cancelObserve = "cancel-observe"

    /// The operation of `request`: GET is Read, Discover (Accept 40), Observe (Observe 0) or Cancel Observation
    /// (Observe 1); FETCH is Read-Composite or (Cancel) Observe-Composite; PUT is Write, or Write-Attributes with
    /// Uri-Query and no payload; POST `/o` is Create, POST `/o/i/r` is Execute when the model says the resource is
    /// executable (or there is no payload), else a partial Write; DELETE is Delete; iPATCH is Write-Composite.
    init(_ request: CoAPRequest, model: any ObjectModelProvider) {
        let segments = request.uriPath == [""] ? [] : request.uriPath
        switch request.method {
        case .get, .fetch:
            if request.method == .get, request.accept == ContentFormat.linkFormat.rawValue {
                self = .discover
            } else if request.observe == 0 {
                self = .observe
            } else if request.observe == 1 {
                self = .cancelObserve
            } else {
                self = request.method == .get ? .read : .compositeRead
            }
        case .put:
            self = !request.uriQuery.isEmpty && request.payload.isEmpty ? .writeAttributes : .write
        case .post:
            switch segments.count {
            case 1:
                self = .create
            case 3:
                let ids = segments.compactMap { UInt16($0) }
                let executable = ids.count == 3 && model.resource(ids[0], ids[2]).map {
                    $0.type == .none || $0.operations.contains(.execute)
                } == true
                self = executable || request.payload.isEmpty ? .execute : .partialWrite
            default:
                self = .partialWrite
            }
        case .delete:
            self = .delete
        case .iPatch:
            self = .compositeWrite
        case .patch:
            self = .partialWrite
        }
    }
}
