import HTTPTypes
import Hummingbird
import NIOCore
import WebUI

/// The built-in explore page: `GET /` and `GET /ui/<file>`, from the binary itself. Each answer
/// carries its ETag and `Cache-Control: no-cache` (browsers keep the files and revalidate, getting
/// 304 until a new build changes them).
struct UIRoutes: Sendable {
    func register(on router: Router<BasicRequestContext>) {
        router.get("/") { req, _ in Self.serve(WebAssets.index, req) }
        router.get("/ui/:file") { req, ctx in
            guard let name = ctx.parameters.get("file"), let asset = WebAssets.asset(name) else {
                return HTTPResponses.text(.notFound, "no such file in the built-in page\n")
            }
            return Self.serve(asset, req)
        }
    }

    static func serve(_ asset: WebAssets.Asset, _ req: Request) -> Response {
        var headers: HTTPFields = [.eTag: asset.etag, .cacheControl: "no-cache", .contentType: asset.contentType]
        if req.headers[.ifNoneMatch] == asset.etag {
            headers[.contentType] = nil
            return Response(status: .notModified, headers: headers)
        }
        headers[.init("X-Content-Type-Options")!] = "nosniff"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.bytes)))
    }
}
