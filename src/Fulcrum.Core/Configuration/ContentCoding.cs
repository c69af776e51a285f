namespace Fulcrum.Core.Configuration;

/// <summary>A content coding Fulcrum can compress a response with (RFC 9110 section 8.4.1; zstd is RFC 8878).</summary>
public enum ContentCoding
{
    /// <summary>`gzip` (RFC 1952).</summary>
    Gzip,
    /// <summary>`br`, Brotli (RFC 7932).</summary>
    Brotli,
    /// <summary>`zstd`, Zstandard (RFC 8878).</summary>
    Zstd,
}
