using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Fulcrum.L7.Hosting;

/// <summary>
/// Kestrel's transport with a way to stop accepting that leaves the open connections alone. KestrelServer.StopAsync
/// stops accepting and closes every idle keep-alive connection at once; a client that sends its next request on such
/// a connection just then sees it closed under the request. After a takeover the old process needs the first half
/// alone (docs/ha.md, "Zero-downtime upgrade"): unbinding the listener here ends Kestrel's accept loop (its
/// AcceptAsync returns null) and its connections go on.
/// </summary>
internal sealed class AcceptGate(IConnectionListenerFactory inner) : IConnectionListenerFactory
{
    private IConnectionListener? _listener;

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var listener = await inner.BindAsync(endpoint, cancellationToken).ConfigureAwait(false);
        _listener = listener;
        return listener;
    }

    /// <summary>Stops accepting: Kestrel's accept loop ends, its connections stay.</summary>
    public ValueTask StopAcceptingAsync() => _listener?.UnbindAsync() ?? ValueTask.CompletedTask;
}
