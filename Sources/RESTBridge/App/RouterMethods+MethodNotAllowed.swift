import Hummingbird

extension RouterMethods {
    /// Answers 405 problem (with `Allow`) for the usual methods `path` does not implement; Hummingbird alone
    /// would answer 404 for a known path asked with the wrong method.
    func rejectOtherMethods(_ path: RouterPath, allowed: [HTTPRequest.Method]) {
        for method in RouterMethodsCandidates.all where !allowed.contains(method) {
            on(path, method: method) { request, _ -> Response in
                throw Problem.methodNotAllowed(request.method, allowed: allowed)
            }
        }
    }
}

/// The methods `rejectOtherMethods` answers 405 for when a path does not allow them.
enum RouterMethodsCandidates {
    static let all: [HTTPRequest.Method] = [.get, .head, .post, .put, .patch, .delete, .options, .trace]
}
