using System.Collections.Concurrent;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Fulcrum.L7.Hosting;

/// <summary>
/// One listener's open connections, for closing them the way HAProxy's `idle-close-on-response` does after a takeover
/// (docs/ha.md, "Zero-downtime upgrade"): an HTTP/2 connection gets GOAWAY, after which its client opens new streams
/// elsewhere; an HTTP/1.1 one is closed after its next response, which says `Connection: close`, so a client never
/// sends a request onto a connection the server is closing. One that stays idle waits for the drain deadline.
/// </summary>
internal sealed class ListenerConnections
{
    /// <summary>How long an HTTP/2 connection closed after a takeover waits for its client to close its side.</summary>
    public static readonly TimeSpan Linger = TimeSpan.FromSeconds(2);

    // In a connection's items once its first request arrived (see CloseAll).
    private static readonly object Serving = new();

    private readonly ConcurrentDictionary<ConnectionContext, byte> _open = new();
    private readonly TaskCompletionSource _drained = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _closing;
    private volatile bool _acceptStopped;

    /// <summary>True once <see cref="CloseGently"/> ran: every HTTP/1.1 response says `Connection: close`.</summary>
    public bool Closing => _closing;

    public int Count => _open.Count;

    /// <summary>
    /// Completes once closing began, accepting has stopped (<see cref="AcceptingStopped"/>) and no connection is left: a
    /// connection accepted after the gentle close is served first, not cut by the stop that follows the drain.
    /// </summary>
    public Task Drained => _drained.Task;

    public void Opened(ConnectionContext connection) => _open.TryAdd(connection, 0);

    public void Closed(ConnectionContext connection)
    {
        _open.TryRemove(connection, out _);
        CompleteDrainIfEmpty();
    }

    /// <summary>The listener accepts no more, and every connection it accepted was reported to <see cref="Opened"/> (AcceptGate).</summary>
    public void AcceptingStopped()
    {
        _acceptStopped = true;
        CompleteDrainIfEmpty();
    }

    private void CompleteDrainIfEmpty()
    {
        // Pairs with the stores before each call (a removal from _open, _closing or _acceptStopped), so that the last
        // of them to happen sees the others.
        Interlocked.MemoryBarrier();
        if (_closing && _acceptStopped && _open.IsEmpty) _drained.TrySetResult();
    }

    /// <summary>GOAWAY to each HTTP/2 connection; HTTP/1.1 ones close after their next response.</summary>
    public void CloseGently()
    {
        _closing = true;
        // An HTTP/2 connection opened after this sees Closing itself (KestrelListener); the fence keeps the reads of
        // _open below after the write above, so no connection is missed by both.
        Interlocked.MemoryBarrier();
        foreach (var (connection, _) in _open)
        {
            if (connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol.Span.SequenceEqual("h2"u8) == true)
            {
                connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose();
            }
        }

        CompleteDrainIfEmpty();
    }

    /// <summary>
    /// Before a virtual IP moves away (`shutdown.accept-grace`, docs/ha.md): every connection is asked to close now,
    /// idle ones at once and busy ones after their response (Kestrel's graceful close; HTTP/2 gets GOAWAY), so each
    /// client's next request opens a connection to whichever node holds the address by then. Later responses say
    /// `Connection: close` as after <see cref="CloseGently"/>.
    /// </summary>
    /// <remarks>
    /// An HTTP/1.1 connection whose first request has not arrived yet is left open: it was accepted a moment ago and its
    /// request is likely on the wire, and Kestrel would close it as idle under that request (a reset at the client,
    /// seen in the anycast lab's drains). Its first response says `Connection: close` instead, as every later one does.
    /// </remarks>
    public void CloseAll()
    {
        _closing = true;
        foreach (var (connection, _) in _open)
        {
            var h2 = connection.Features.Get<ITlsApplicationProtocolFeature>()?.ApplicationProtocol.Span.SequenceEqual("h2"u8) == true;
            if (!h2 && !connection.Items.ContainsKey(Serving)) continue;
            connection.Features.Get<IConnectionLifetimeNotificationFeature>()?.RequestClose();
        }

        CompleteDrainIfEmpty();
    }

    /// <summary>Marks the connection of a request's features as one that has had a request (once per HTTP/1.x connection).</summary>
    public static void MarkServing(Microsoft.AspNetCore.Http.Features.IFeatureCollection requestFeatures)
    {
        if (requestFeatures.Get<IConnectionItemsFeature>()?.Items is { } items) items[Serving] = Serving;
    }

    /// <summary>While closing: this HTTP/1.x response says `Connection: close`, and Kestrel closes the connection after it.</summary>
    public static void CloseAfter(HttpResponse response)
    {
        if (response.HttpContext.Request.Protocol is "HTTP/2" or "HTTP/3") return;
        response.OnStarting(static state =>
        {
            ((HttpResponse)state).Headers.Connection = "close";
            return Task.CompletedTask;
        }, response);
    }
}
