using System.Net;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L7;

/// <summary>
/// Every http/https listener of the current topology, served by Kestrel and forwarded through YARP's
/// IHttpForwarder. Follows the topology store: reloads add and remove listeners and swap routes.
/// </summary>
public sealed class HttpDataPlane : IAsyncDisposable
{
    public HttpDataPlane(TopologyStore store, ILoggerFactory loggerFactory)
    {
        Store = store;
        LoggerFactory = loggerFactory;
    }

    public TopologyStore Store { get; }
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Listener name to the address it is bound to (port 0 in config becomes the real port).</summary>
    public IReadOnlyDictionary<string, IPEndPoint> BoundEndpoints { get; private set; } = new Dictionary<string, IPEndPoint>();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Stops accepting, lets in-flight requests finish until the token fires, then closes.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
