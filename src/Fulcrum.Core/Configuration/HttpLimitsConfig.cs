namespace Fulcrum.Core.Configuration;

/// <summary>
/// An http or https listener's `limits:` block: how much and how slowly a client may send. The defaults are Kestrel's,
/// which sit close to nginx's (large_client_header_buffers 4 8k, client_header_timeout 60s, keepalive_timeout 75s);
/// unlike nginx's client_max_body_size (1m) the body is unlimited by default, as HAProxy's is: the backend decides.
/// </summary>
public sealed record HttpLimitsConfig
{
    public static readonly HttpLimitsConfig Default = new();

    /// <summary>`max-request-line:` the request line at most (default 8KiB); longer gets 414.</summary>
    public long MaxRequestLine { get; init; } = 8 * 1024;

    /// <summary>`max-header-size:` all header fields together at most (default 32KiB); more gets 431.</summary>
    public long MaxHeaderSize { get; init; } = 32 * 1024;

    /// <summary>`max-headers:` header fields at most (default 100); more gets 431.</summary>
    public int MaxHeaders { get; init; } = 100;

    /// <summary>`max-body-size:` a request body at most (default 0: no limit); a larger one gets 413.</summary>
    public long MaxBodySize { get; init; }

    /// <summary>`header-timeout:` the whole request head must arrive within this (default 30s): slowloris is cut off.</summary>
    public TimeSpan HeaderTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>`min-body-rate:` bytes per second a request body must keep up after a 5 s grace (default 240; 0: none).</summary>
    public int MinBodyRate { get; init; } = 240;

    /// <summary>`keepalive-timeout:` an idle client connection is closed after this long (default 130s).</summary>
    public TimeSpan KeepAliveTimeout { get; init; } = TimeSpan.FromSeconds(130);

    /// <summary>`http2-max-streams:` concurrent HTTP/2 streams per connection (default 100).</summary>
    public int Http2MaxStreams { get; init; } = 100;

    public SourceLocation Location { get; init; } = SourceLocation.None;

    // The values, not the block's place in the file: a listener restarts only when a limit changes.
    public bool SameLimits(HttpLimitsConfig other) => this with { Location = SourceLocation.None } == other with { Location = SourceLocation.None };
}
