import Foundation

/// Runs a blocking call (a socket read of `WebSocketProbe`) on a thread of its own, off the cooperative pool: on a
/// 2-core machine a read waiting there holds one of its two threads while the in-process server needs them.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread { continuation.resume(with: Result { try body() }) }.start()
    }
}
