#if canImport(Glibc)
import Glibc
#endif
import Tool

// Thin: the commands live in the Tool module (tested there); this prints and exits.
func emit(_ text: String, to fd: Int32) {
    var bytes = Array(text.utf8)[...]
    while !bytes.isEmpty {
        let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        if n < 0 { if errno == EINTR { continue }; return }
        bytes = bytes.dropFirst(n)
    }
}

let result = SkaldTool.run(Array(CommandLine.arguments.dropFirst()))
emit(result.out, to: 1)
emit(result.err, to: 2)
exit(result.status)
