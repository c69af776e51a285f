namespace Fulcrum.L7.StaticFiles;

/// <summary>What a request's Range header comes to for one file.</summary>
internal enum RangeRequest
{
    /// <summary>No Range, or one Fulcrum answers with the whole file (another unit, several ranges, broken syntax).</summary>
    None,
    /// <summary>One satisfiable range: 206.</summary>
    One,
    /// <summary>A range that starts past the end: 416 with `Content-Range: bytes */SIZE`.</summary>
    Unsatisfiable,
}
