using System.Net;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L4;

/// <summary>
/// Brings the running listeners of one protocol in line with a topology: listeners that left or moved
/// their bind stop, the ones that stay take the new config, new ones bind and start. Shared by the tcp and
/// udp planes so a reload means the same thing for both.
/// </summary>
internal static class ListenerReconciler
{
    /// <returns>Listener name to the address each running listener is bound to.</returns>
    public static Dictionary<string, IPEndPoint> Reconcile<TLoop>(
        Dictionary<string, TLoop> running,
        Topology topology,
        ListenerProtocol protocol,
        Func<ListenerConfig, TLoop> create,
        Action<TLoop> onRemoved,
        ILogger logger)
        where TLoop : IListenerLoop
    {
        var kind = protocol == ListenerProtocol.Udp ? "udp" : "tcp";
        var wanted = new Dictionary<string, ListenerConfig>(StringComparer.Ordinal);
        foreach (var l in topology.Config.Listeners)
        {
            if (l.Protocol == protocol) wanted[l.Name] = l;
        }

        foreach (var name in running.Keys.ToArray())
        {
            var loop = running[name];
            if (!wanted.TryGetValue(name, out var config) || config.Bind != loop.Config.Bind)
            {
                _ = loop.StopAsync();
                onRemoved(loop);
                running.Remove(name);
            }
        }

        var bound = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
        foreach (var (name, config) in wanted)
        {
            if (running.TryGetValue(name, out var loop))
            {
                loop.Update(config);
                bound[name] = loop.BoundEndpoint!;
                continue;
            }

            loop = create(config);
            try
            {
                bound[name] = loop.Bind();
            }
            catch (System.Net.Sockets.SocketException e)
            {
                L4Log.BindFailed(logger, e, kind, name, config.Bind.ToString());
                continue;
            }

            running[name] = loop;
            loop.Start();
            L4Log.ListenerBound(logger, kind, name, bound[name]);
        }

        return bound;
    }
}
