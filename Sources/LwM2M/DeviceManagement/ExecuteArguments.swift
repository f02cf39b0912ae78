/// The argument list of an Execute (LwM2M 1.1 Core §5.4.5): digits 0-9, each optionally with a quoted value
/// (`0='http://x',1`), comma-separated; the value characters are `!`, `#`-`&`, `(`-`[`, `]`-`~`. The server checks it
/// before sending, as Leshan 2 does, so a malformed list is a 400 of the API rather than a device's 4.00.
public enum ExecuteArguments {
    /// Whether `text` follows the grammar (the empty list included).
    public static func areValid(_ text: String) -> Bool {
        ClientExecution.parseArguments(text) != nil
    }
}
