public import Codecs

/// The chunk format's name in errors.
public enum ChunkFormatName: FileFormatName {
    public static let name = "chunk"
}

/// A chunk file or block that could not be read.
public typealias ChunkFormatError = FormatError<ChunkFormatName>

extension FormatError.Kind where Format == ChunkFormatName {
    /// Not a chunk file, or a version this build cannot read.
    public static var notAChunk: Self { .wrongFormat }
}
