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

// A parent may have started us with SIGINT/SIGTERM blocked (the mask is inherited): `--tail` runs
// until one of them arrives, so take them back.
var stopSignals = sigset_t()
sigemptyset(&stopSignals)
sigaddset(&stopSignals, SIGINT)
sigaddset(&stopSignals, SIGTERM)
pthread_sigmask(SIG_UNBLOCK, &stopSignals, nil)
signal(SIGTERM, SIG_DFL)
signal(SIGINT, SIG_DFL)

let result = SkaldTool.run(Array(CommandLine.arguments.dropFirst())) { emit($0, to: 1) }
emit(result.out, to: 1)
emit(result.err, to: 2)
exit(result.status)
