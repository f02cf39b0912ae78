import Foundation

extension LwM2MNode {
    /// Every value of the node with its full path: single resources as `/o/i/r`, resource instances as
    /// `/o/i/r/ri`, in path order. `path` is where the node sits (the request or SenML path).
    public func leaves(at path: LwM2MPath) -> [(path: LwM2MPath, value: LwM2MValue)] {
        var out: [(path: LwM2MPath, value: LwM2MValue)] = []
        func resource(_ resource: LwM2MResource, objectID: UInt16, instanceID: UInt16) {
            switch resource.content {
            case .single(let value):
                out.append((LwM2MPath(validated: [objectID, instanceID, resource.id]), value))
            case .multiple(let instances):
                for (id, value) in instances.sorted(by: { $0.key < $1.key }) {
                    out.append((LwM2MPath(validated: [objectID, instanceID, resource.id, id]), value))
                }
            }
        }
        func instance(_ instance: LwM2MObjectInstance, objectID: UInt16) {
            for (_, item) in instance.resources.sorted(by: { $0.key < $1.key }) {
                resource(item, objectID: objectID, instanceID: instance.id)
            }
        }
        switch self {
        case .object(let object):
            for (_, item) in object.instances.sorted(by: { $0.key < $1.key }) { instance(item, objectID: object.id) }
        case .objectInstance(let item):
            guard let objectID = path.objectID else { return [] }
            instance(item, objectID: objectID)
        case .resource(let item):
            guard let objectID = path.objectID, let instanceID = path.instanceID else { return [] }
            resource(item, objectID: objectID, instanceID: instanceID)
        case .resourceInstance(let item):
            guard path.isResourceInstance else { return [] }
            out.append((path, item.value))
        }
        return out
    }
}
