using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// A route's `compress`: responses encoded on the fly in the coding the client prefers among <see cref="Encodings"/>
/// (docs/compression.md). Only responses of <see cref="Types"/> and at least <see cref="MinSize"/> long are encoded.
/// </summary>
public sealed record CompressConfig
{
    /// <summary>The default types: text and the structured text formats; never images, video, archives or event streams.</summary>
    public static readonly ImmutableArray<string> DefaultTypes =
    [
        "text/html", "text/plain", "text/css", "text/csv", "text/xml", "text/javascript", "text/markdown",
        "application/json", "application/*+json", "application/xml", "application/*+xml", "application/javascript",
        "application/x-javascript", "application/wasm", "image/svg+xml", "font/ttf", "font/otf",
    ];

    /// <summary>The codings offered, in the server's order of preference when the client likes several equally.</summary>
    public ImmutableArray<ContentCoding> Encodings { get; init; } = [ContentCoding.Zstd, ContentCoding.Brotli, ContentCoding.Gzip];

    /// <summary>Media types to encode (`type/subtype`, `type/*` or `type/*+suffix`), compared without parameters, case ignored.</summary>
    public ImmutableArray<string> Types { get; init; } = DefaultTypes;

    /// <summary>Responses with a `Content-Length` below this pass untouched (default 1KiB): encoding them saves little or grows them.</summary>
    public long MinSize { get; init; } = 1024;

    /// <summary>gzip's zlib level, 1 (fastest) to 9 (default 6, zlib's own).</summary>
    public int GzipLevel { get; init; } = 6;

    /// <summary>Brotli's quality, 0 to 11 (default 4: most of 11's ratio at a small share of its CPU for dynamic bodies).</summary>
    public int BrotliLevel { get; init; } = 4;

    /// <summary>zstd's level, 1 to 19 (default 3, zstd's own).</summary>
    public int ZstdLevel { get; init; } = 3;

    public SourceLocation Location { get; init; } = SourceLocation.None;
}
