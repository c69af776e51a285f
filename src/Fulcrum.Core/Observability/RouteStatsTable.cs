using System.Collections.Concurrent;

namespace Fulcrum.Core.Observability;

/// <summary>Every route's <see cref="RouteStats"/> by listener and route name; a route a reload removes keeps its counters.</summary>
public sealed class RouteStatsTable
{
    private readonly ConcurrentDictionary<(string, string), RouteStats> _byName = new();

    /// <summary>The route's counters, created on first use. Called when routes are built, never per request.</summary>
    public RouteStats For(string listener, string route) => _byName.GetOrAdd((listener, route), static key => new RouteStats(key.Item1, key.Item2));

    /// <summary>Every route's counters, in a stable order: listener, then route.</summary>
    public IReadOnlyList<RouteStats> All => [.. _byName.Values.OrderBy(static r => (r.Listener, r.Route))];
}
