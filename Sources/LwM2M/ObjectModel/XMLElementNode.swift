import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// One element of a parsed XML document: the small tree the DDF parser reads (comments and processing instructions dropped).
struct XMLElementNode: Sendable, Hashable {
    /// The element name as written (qualified, no namespace processing).
    var name: String
    /// The attributes, entity references already resolved.
    var attributes: [String: String]
    /// The child elements in document order.
    var children: [XMLElementNode]
    /// The concatenated character data and CDATA directly inside this element, untrimmed.
    var text: String
    /// The 1-based line of the start tag.
    var line: Int

    /// The children named `name`, in document order.
    func children(named name: String) -> [XMLElementNode] {
        children.filter { $0.name == name }
    }

    /// The offset of the first `<?` in `data` that is not the XML declaration at its start (`<?xml` and a space,
    /// after an optional byte order mark and white space), or `nil`. FoundationXML hands libxml2's NULL data
    /// pointer of an instruction without data (`<?x?>`) to `strlen` and crashes (found by the `ddf-xml` fuzz
    /// target, Fuzz/regressions/ddf-xml), and libxml2's error recovery finds instructions where a simple scanner
    /// would not; DDF files have none but the declaration (all 351 of the OMA registry), so any other `<?` is
    /// refused, wherever it stands.
    static func firstProcessingInstruction(in data: Data) -> Int? {
        let bytes = [UInt8](data)
        var start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while start < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start]) { start += 1 }
        let declaration = Array("<?xml".utf8)
        var from = start
        if bytes[start...].starts(with: declaration), start + 5 < bytes.count,
           [0x20, 0x09, 0x0A, 0x0D].contains(bytes[start + 5]) {
            from = start + 5
        }
        var index = from
        while index + 1 < bytes.count {
            if bytes[index] == UInt8(ascii: "<"), bytes[index + 1] == UInt8(ascii: "?") { return index }
            index += 1
        }
        return nil
    }

    /// The offset of the first byte of `data` that is not part of a well-formed UTF-8 sequence.
    static func firstInvalidUTF8(in data: Data) -> Int {
        var decoder = UTF8()
        var iterator = data.makeIterator()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return offset
            case .error: return offset
            }
        }
    }

    /// Parses `data` into its root element with FoundationXML's SAX `XMLParser`.
    ///
    /// `XMLParser.parse()` on Linux returns `true` for a truncated or empty document, so success is judged by
    /// `parserError` and by the root element having been closed, not by the return value alone.
    static func parse(_ data: Data, file: String) throws(ObjectDefinitionError) -> XMLElementNode {
        // FoundationXML traps (SIGILL) on an element name that is not UTF-8 (found by the `ddf-xml` fuzz target,
        // Fuzz/regressions/ddf-xml): refuse such a document before it reaches the parser. DDF files are UTF-8.
        if String(validating: data, as: UTF8.self) == nil {
            let offset = Self.firstInvalidUTF8(in: data)
            let line = data.prefix(offset).reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            throw ObjectDefinitionError(kind: .malformedXML, file: file, line: line,
                                        message: "not UTF-8 (byte \(offset) is not part of a UTF-8 character)")
        }
        if let offset = Self.firstProcessingInstruction(in: data) {
            let line = data.prefix(offset).reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
            throw ObjectDefinitionError(kind: .malformedXML, file: file, line: line,
                                        message: "a processing instruction other than the XML declaration (byte \(offset))")
        }
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let builder = TreeBuilder()
        parser.delegate = builder
        let succeeded = parser.parse()
        if let error = builder.error ?? parser.parserError {
            throw ObjectDefinitionError(kind: .malformedXML, file: file, line: builder.errorLine ?? parser.lineNumber,
                                        message: "not well-formed XML: \(describe(error))")
        }
        guard succeeded else {
            throw ObjectDefinitionError(kind: .malformedXML, file: file, line: parser.lineNumber,
                                        message: "not well-formed XML")
        }
        guard let root = builder.root, builder.stack.isEmpty else {
            let message = builder.stack.isEmpty ? "no root element (empty document)"
                : "document ends inside <\(builder.stack.last?.name ?? "")> (truncated)"
            throw ObjectDefinitionError(kind: .malformedXML, file: file, line: parser.lineNumber, message: message)
        }
        return root
    }

    /// A short text for a parser error; libxml2 errors carry only a code on Linux.
    private static func describe(_ error: any Error) -> String {
        let nsError = error as NSError
        guard nsError.domain == XMLParser.errorDomain else { return "\(error)" }
        let name: String
        switch XMLParser.ErrorCode(rawValue: nsError.code) {
        case .emptyDocumentError?: name = "empty document"
        case .prematureDocumentEndError?: name = "document ends too early (truncated?)"
        case .documentStartError?: name = "no XML content at the start of the document"
        case .tagNameMismatchError?: name = "end tag does not match its start tag"
        case .notWellBalancedError?: name = "elements are not properly nested"
        case .ltRequiredError?, .gtRequiredError?: name = "a tag is not closed"
        case .entityRefLoopError?, .entityBoundaryError?, .undeclaredEntityError?, .entityNotFinishedError?:
            name = "bad entity reference"
        default: name = "error code \(nsError.code)"
        }
        return name
    }
}

/// Collects SAX events into `XMLElementNode`s; used by one `parse` call on one thread only.
private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLElementNode] = []
    var root: XMLElementNode?
    var error: (any Error)?
    var errorLine: Int?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        if root != nil && stack.isEmpty {
            fail(parser, "content after the root element")
            return
        }
        stack.append(XMLElementNode(name: elementName, attributes: attributeDict, children: [], text: "",
                                    line: parser.lineNumber))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?) {
        guard let node = stack.popLast() else {
            fail(parser, "end tag </\(elementName)> without a start tag")
            return
        }
        if stack.isEmpty {
            root = node
        } else {
            stack[stack.count - 1].children.append(node)
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        if error == nil {
            error = parseError
            errorLine = parser.lineNumber
        }
    }

    private func fail(_ parser: XMLParser, _ message: String) {
        if error == nil {
            error = TreeError(message: message)
            errorLine = parser.lineNumber
        }
        parser.abortParsing()
    }
}

/// A structural problem the tree builder found itself.
private struct TreeError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
