using Fulcrum.L7.Tests.Support;

namespace Fulcrum.L7.Tests.Hardening;

/// <summary>
/// A backend that keeps every byte it receives, per connection, and answers each request with a small 200: a
/// <see cref="RawBackend"/> that the corpus reads back to check that no ambiguous request ever reached a backend.
/// </summary>
public sealed class RecordingBackend : IAsyncDisposable
{
    private readonly RawBackend _raw = RawBackend.KeepAlive(_ => "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");

    public string Address => _raw.Address;

    /// <summary>What each connection received so far, in accept order.</summary>
    public IReadOnlyList<byte[]> Received => _raw.Received;

    /// <summary>Forgets what was received so far; connections stay open (the proxy reuses them) and record afresh.</summary>
    public void Clear() => _raw.ClearReceived();

    public ValueTask DisposeAsync() => _raw.DisposeAsync();
}
