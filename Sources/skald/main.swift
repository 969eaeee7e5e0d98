import ServerApp

#if canImport(Glibc)
import Glibc
#endif

// Thin main: everything lives in ServerApp so it can be tested in-process.
let code = await SkaldCommand.main(arguments: Array(CommandLine.arguments.dropFirst()))
exit(code)
