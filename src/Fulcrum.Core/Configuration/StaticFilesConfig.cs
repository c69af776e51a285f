namespace Fulcrum.Core.Configuration;

/// <summary>
/// A route's `static` action: files under <see cref="Root"/> answer the request by its path, with ETag and
/// Last-Modified validators, Range requests and precompressed `.br`/`.zst`/`.gz` siblings (docs/routing.md, "static").
/// </summary>
public sealed record StaticFilesConfig
{
    /// <summary>The folder served, absolute (a relative `root` is resolved against the config file's folder).</summary>
    public string Root { get; init; } = "";

    /// <summary>The file a request for a folder gets (default index.html); none when empty.</summary>
    public string Index { get; init; } = "index.html";

    /// <summary>Strip this from the front of the path before looking the file up, at a `/` boundary.</summary>
    public string? StripPrefix { get; init; }

    /// <summary>Serve `FILE.br`, `FILE.zst`, `FILE.gz` beside `FILE` to clients that accept the coding (default true).</summary>
    public bool Precompressed { get; init; } = true;

    /// <summary>A `Cache-Control` value for every file answered; none when null.</summary>
    public string? CacheControl { get; init; }

    public SourceLocation Location { get; init; } = SourceLocation.None;
}
