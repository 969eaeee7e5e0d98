import CCodecs

/// Finds where ordinary JSON string content stops: the first quote, backslash or control byte
/// (SSE2, 16 bytes at a time; CCodecs/jsonscan.c).
public enum JSONStringScan {
    /// How many bytes of `p[from..<end]` come before the first quote, backslash or control byte
    /// (`end - from` when none does).
    public static func plainRun(_ p: UnsafeRawBufferPointer, from: Int, end: Int) -> Int {
        guard from < end, let base = p.baseAddress else { return 0 }
        return skald_json_plain_run(base.assumingMemoryBound(to: UInt8.self) + from, end - from)
    }
}
