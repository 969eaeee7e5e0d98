import NIOCore
import NIOHTTP1

/// Gives a refused websocket upgrade Loki's answer: its status and message as text.
///
/// The websocket server answers an upgrade it was told not to make with an empty 400 and closes
/// the connection. Loki checks a tail request before upgrading and answers a bad one like any
/// HTTP error (400 or 401, its message as text), which is what logcli prints ("Error response
/// from server: …"). So when `TailRoute` refuses an upgrade it installs this handler on the
/// connection, just before the HTTP encoder, and it rewrites that empty answer: status, length,
/// content type and the message as body. Installed only on a connection that will not be
/// upgraded, so it never sees websocket frames.
final class UpgradeRefusal: ChannelOutboundHandler, RemovableChannelHandler {
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private let status: HTTPResponseStatus
    private let body: String
    private var rewrote = false

    init(status: Int, message: String) {
        self.status = HTTPResponseStatus(statusCode: status)
        self.body = message.hasSuffix("\n") ? message : message + "\n"
    }

    /// Installs a refusal on `channel` (on its event loop, before the upgrade is declined).
    static func install(on channel: any Channel, status: Int, message: String) throws {
        let ops = channel.pipeline.syncOperations
        let encoder = try ops.handler(type: HTTPResponseEncoder.self)
        try ops.addHandler(UpgradeRefusal(status: status, message: message), position: .after(encoder))
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard !rewrote, case .head(var head) = unwrapOutboundIn(data), head.status == .badRequest else {
            context.write(data, promise: promise)
            return
        }
        rewrote = true
        let bytes = context.channel.allocator.buffer(string: body)
        head.status = status
        head.headers.replaceOrAdd(name: "Content-Length", value: "\(bytes.readableBytes)")
        head.headers.replaceOrAdd(name: "Content-Type", value: "text/plain; charset=utf-8")
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(bytes))), promise: promise)
    }
}
