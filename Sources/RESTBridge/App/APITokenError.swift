import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The token file could not be created or written.
public struct APITokenError: Error, Sendable, CustomStringConvertible {
    /// The token file's path.
    public var path: String
    /// The `errno` of the failed system call.
    public var code: Int32

    /// A message naming the file and the system error.
    public var description: String {
        "cannot write API token file \(path): \(String(cString: strerror(code)))"
    }
}
