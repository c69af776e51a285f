using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Model;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L4;

/// <summary>
/// Brings one plane's running listeners in line with a topology, the same way for tcp and udp: a listener that
/// left or moved its bind stops; one that stays takes its new config in place (its socket, connections and
/// sessions stay); a new one binds and starts. A listener that cannot bind is logged and left out, so one
/// taken port does not keep the rest of a reload from serving. The caller holds its plane's lock.
/// </summary>
internal static class ListenerReconciler
{
    /// <returns>Listener name to the address each running listener is bound to.</returns>
    public static Dictionary<string, IPEndPoint> Reconcile<TLoop>(
        Dictionary<string, TLoop> running, Topology topology, ListenerProtocol protocol, Func<ListenerConfig, TLoop> create, ILogger logger)
        where TLoop : ListenerLoop
    {
        var wanted = Wanted(topology, protocol);
        StopLeavers(running, wanted);

        var bound = new Dictionary<string, IPEndPoint>(StringComparer.Ordinal);
        foreach (var (name, config) in wanted)
        {
            if (running.TryGetValue(name, out var loop)) loop.Update(config);
            else if (TryStart(create(config), logger) is { } started) running[name] = loop = started;
            else continue;

            bound[name] = loop.BoundEndpoint!;
        }

        return bound;
    }

    /// <summary>Each running listener's config and socket. The caller holds its plane's lock.</summary>
    public static List<(ListenerConfig Listener, Socket Socket)> Sockets<TLoop>(Dictionary<string, TLoop> running)
        where TLoop : ListenerLoop
    {
        var sockets = new List<(ListenerConfig, Socket)>(running.Count);
        foreach (var loop in running.Values)
        {
            if (loop.Socket is { } socket) sockets.Add((loop.Config, socket));
        }

        return sockets;
    }

    private static Dictionary<string, ListenerConfig> Wanted(Topology topology, ListenerProtocol protocol)
    {
        var wanted = new Dictionary<string, ListenerConfig>(StringComparer.Ordinal);
        foreach (var listener in topology.Config.Listeners)
        {
            if (listener.Protocol == protocol) wanted[listener.Name] = listener;
        }

        return wanted;
    }

    // Stopped in the background: open tcp connections finish on their own; a udp loop closes its sessions as it ends.
    private static void StopLeavers<TLoop>(Dictionary<string, TLoop> running, Dictionary<string, ListenerConfig> wanted)
        where TLoop : ListenerLoop
    {
        foreach (var (name, loop) in running.ToArray())
        {
            if (wanted.TryGetValue(name, out var config) && config.Bind == loop.Config.Bind) continue;
            _ = loop.StopAsync();
            running.Remove(name);
        }
    }

    private static TLoop? TryStart<TLoop>(TLoop loop, ILogger logger)
        where TLoop : ListenerLoop
    {
        IPEndPoint endpoint;
        try
        {
            endpoint = loop.Bind();
        }
        catch (SocketException e)
        {
            L4Log.BindFailed(logger, e, loop.Protocol, loop.Config.Name, loop.Config.Bind.ToString());
            return null;
        }

        loop.Start();
        L4Log.ListenerBound(logger, loop.Protocol, loop.Config.Name, endpoint);
        return loop;
    }
}
