namespace Fulcrum.L7.Caching;

/// <summary>
/// What the cache keeps about one request it sent on to the backend (a miss, or an unsafe method to invalidate on),
/// on the exchange between the request and response hooks. Made only for requests that reach the backend; a hit
/// answers without one.
/// </summary>
internal sealed class CacheRequest(CacheStore store, string key, DateTimeOffset requestTime, CacheControl control)
{
    public CacheStore Store { get; } = store;
    public string Key { get; } = key;
    public DateTimeOffset RequestTime { get; } = requestTime;
    public CacheControl Control { get; } = control;

    /// <summary>An unsafe method: a non-error answer invalidates the key (RFC 9111 section 4.4).</summary>
    public bool Invalidates { get; init; }

    /// <summary>A stale stored response the backend's answer replaces, or that stale-if-error may serve in its place.</summary>
    public CachedResponse? Stale { get; init; }

    /// <summary>The fetch this request leads, that collapsed requests wait on.</summary>
    public CacheFill? Fill { get; set; }

    /// <summary>Cache-Status's `fwd` parameter (RFC 9211 section 2.2): why the request went to the backend.</summary>
    public string Forward { get; init; } = "uri-miss";

    /// <summary>The capture of a body to store, from the body hook to the end hook.</summary>
    public CacheCapture? Capture { get; set; }
    public int Status { get; set; }
    public (string Name, Microsoft.Extensions.Primitives.StringValues Value)[]? Headers { get; set; }
    public string[]? VaryNames { get; set; }
    public string?[]? VaryValues { get; set; }
    public DateTimeOffset ResponseTime { get; set; }

    /// <summary>A stored response to send in place of the backend's answer (stale-if-error), and the client's stream it goes to.</summary>
    public CachedResponse? Replacement { get; set; }
    public Stream? ClientBody { get; set; }

    /// <summary>Lets the requests waiting on this one's fetch go (they look again, and go to the backend themselves if need be).</summary>
    public void EndFill()
    {
        if (Fill is not { } fill) return;
        Fill = null;
        Store.EndFill(Key, fill);
    }
}
