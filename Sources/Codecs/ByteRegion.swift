/// Read-only bytes owned by an object and valid for as long as it lives — a mapped file, say. A
/// decoder given one reads in place and keeps the owner alive instead of copying the bytes out.
public protocol ByteRegion: AnyObject, Sendable {
    var bytes: UnsafeRawBufferPointer { get }
}
