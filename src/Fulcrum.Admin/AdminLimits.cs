namespace Fulcrum.Admin;

/// <summary>
/// The admin server's own Kestrel limits, apart from the listeners' (docs/admin-api.md, "Limits"): the admin API takes
/// small JSON bodies from a few operators and scripts, so everything is bounded well below what a data plane allows,
/// and a client that floods or starves it cannot hold the operator's way in.
/// </summary>
public sealed record AdminLimits
{
    public static readonly AdminLimits Default = new();

    /// <summary>A request body (a backend to add, a weight): 64 KiB, else 413.</summary>
    public long MaxRequestBodySize { get; init; } = 64 * 1024;

    /// <summary>All request header lines together: 16 KiB, else 431 (Kestrel's default is 32 KiB).</summary>
    public int MaxRequestHeadersTotalSize { get; init; } = 16 * 1024;

    /// <summary>Request header lines: 64, else 431 (Kestrel's default is 100).</summary>
    public int MaxRequestHeaderCount { get; init; } = 64;

    /// <summary>The request line: 8 KiB, else 414.</summary>
    public int MaxRequestLineSize { get; init; } = 8 * 1024;

    /// <summary>Open connections: 64; a connection past it is closed at once (Kestrel's default is unlimited).</summary>
    public long MaxConnections { get; init; } = 64;

    /// <summary>Time to receive a request's whole head: 10 s, else 408 and close (Kestrel's default is 30 s).</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an idle keep-alive connection stays open: 30 s (Kestrel's default is 130 s).</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A request body slower than this many bytes a second, after a 5 s grace, is cut (Kestrel's default, stated).</summary>
    public double MinRequestBodyBytesPerSecond { get; init; } = 240;
}
