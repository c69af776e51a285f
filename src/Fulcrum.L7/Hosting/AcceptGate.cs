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
/// <remarks>
/// Each accepted connection is reported to <paramref name="accepted"/> before Kestrel sees it, and stopping waits for
/// an accept under way: once <see cref="StopAcceptingAsync"/> returns, every connection this listener will ever serve
/// has been reported. Kestrel's own connection middleware runs later, on the thread pool, so a drain that counted only
/// there could find no connection open while one accepted a moment before still waited to run, and the stop that
/// followed would cut it unanswered.
/// </remarks>
internal sealed class AcceptGate(IConnectionListenerFactory inner, Action<ConnectionContext> accepted) : IConnectionListenerFactory
{
    private Listener? _listener;

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        var listener = new Listener(await inner.BindAsync(endpoint, cancellationToken).ConfigureAwait(false), accepted);
        _listener = listener;
        return listener;
    }

    /// <summary>Stops accepting: Kestrel's accept loop ends, its connections stay, and each one it got was reported.</summary>
    public ValueTask StopAcceptingAsync() => _listener?.StopAcceptingAsync() ?? ValueTask.CompletedTask;

    private sealed class Listener(IConnectionListener inner, Action<ConnectionContext> accepted) : IConnectionListener
    {
        private Task<ConnectionContext?> _accepting = Task.FromResult<ConnectionContext?>(null);

        public EndPoint EndPoint => inner.EndPoint;

        // Kestrel's accept loop calls this one at a time.
        public ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
        {
            var accepting = AcceptAndReportAsync(cancellationToken);
            Volatile.Write(ref _accepting, accepting); // read by StopAcceptingAsync, on another thread
            return new ValueTask<ConnectionContext?>(accepting);
        }

        public ValueTask UnbindAsync(CancellationToken cancellationToken = default) => inner.UnbindAsync(cancellationToken);

        public ValueTask DisposeAsync() => inner.DisposeAsync();

        public async ValueTask StopAcceptingAsync()
        {
            await inner.UnbindAsync().ConfigureAwait(false);
            try
            {
                await Volatile.Read(ref _accepting).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The accept failed with the unbind: Kestrel's loop sees it too, and no connection came of it.
            }
        }

        private async Task<ConnectionContext?> AcceptAndReportAsync(CancellationToken cancellationToken)
        {
            var connection = await inner.AcceptAsync(cancellationToken).ConfigureAwait(false);
            if (connection is not null) accepted(connection);
            return connection;
        }
    }
}
