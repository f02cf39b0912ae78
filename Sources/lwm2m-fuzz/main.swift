import Foundation
import FuzzTargets

// libFuzzer driver for one target of `FuzzTarget`, chosen by LWM2M_FUZZ_TARGET (see `make fuzz`). Built with
// `swift build -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld` libFuzzer takes over
// (its options and corpus directories are the arguments); in an ordinary build, `lwm2m-fuzz TARGET FILE...`
// replays files through the target, to reproduce a finding without the sanitizers.

@_cdecl("LLVMFuzzerTestOneInput")
func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    selectedTarget.run(bytes)
    return 0
}

let environment = ProcessInfo.processInfo.environment
let selectedTarget: FuzzTarget = {
    let name = environment["LWM2M_FUZZ_TARGET"] ?? (CommandLine.arguments.dropFirst().first ?? "")
    guard let target = FuzzTarget(rawValue: name) else {
        let names = FuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
        FileHandle.standardError.write(Data("lwm2m-fuzz: set LWM2M_FUZZ_TARGET (or give it first) to one of \(names)\n".utf8))
        exit(2)
    }
    return target
}()

typealias FuzzCallback = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

_ = FuzzTarget.model  // loaded once, before the first input
#if FUZZING
// The libFuzzer build (`make fuzz-build` passes -DFUZZING with -sanitize=fuzzer): libFuzzer takes over.
@_silgen_name("LLVMFuzzerRunDriver")
func runDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
    _ callback: FuzzCallback
) -> CInt

var argc = CommandLine.argc
var argv = CommandLine.unsafeArgv
exit(runDriver(&argc, &argv, fuzzOneInput))
#endif
// Replay: every file named after the target.
for path in CommandLine.arguments.dropFirst(environment["LWM2M_FUZZ_TARGET"] == nil ? 2 : 1) {
    guard let data = FileManager.default.contents(atPath: path) else {
        FileHandle.standardError.write(Data("lwm2m-fuzz: cannot read \(path)\n".utf8))
        exit(1)
    }
    selectedTarget.run(Array(data))
    print("\(selectedTarget.rawValue): \(path): ok")
}
