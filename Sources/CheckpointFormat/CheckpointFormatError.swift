public import Codecs

/// The checkpoint format's name in errors.
public enum CheckpointFormatName: FileFormatName {
    public static let name = "checkpoint"
}

/// A checkpoint file, or one frame of it, that could not be read.
public typealias CheckpointFormatError = FormatError<CheckpointFormatName>

extension FormatError.Kind where Format == CheckpointFormatName {
    /// Not a checkpoint, or a version this build cannot read.
    public static var notACheckpoint: Self { .wrongFormat }
}
