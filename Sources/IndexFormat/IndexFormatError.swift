public import Codecs

/// The index format's name in errors.
public enum IndexFormatName: FileFormatName {
    public static let name = "index"
}

/// An index table or manifest that could not be read.
public typealias IndexFormatError = FormatError<IndexFormatName>

extension FormatError.Kind where Format == IndexFormatName {
    /// Not an index file, or a version this build cannot read.
    public static var notAnIndex: Self { .wrongFormat }
}
