import Hummingbird
import NIOCore

/// Response helpers: HTTP statuses are decided here, at the edge, and nowhere below it.
enum HTTPResponses {
    static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        var buf = ByteBuffer()
        buf.writeString(message.hasSuffix("\n") ? message : message + "\n")
        return Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: buf))
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=UTF-8"],
                 body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }

    static func badRequest(_ message: String) -> Response { text(.badRequest, message) }
}
