using System.Collections.Concurrent;

namespace Fulcrum.Core.Observability;

/// <summary>Every listener's <see cref="ListenerStats"/> by name; a listener that a reload removes keeps its counters.</summary>
public sealed class ListenerStatsTable
{
    private readonly ConcurrentDictionary<string, ListenerStats> _byName = new(StringComparer.Ordinal);

    /// <summary>The listener's counters, created on first use. Planes call this once per listener, not per request.</summary>
    public ListenerStats For(string name) => _byName.GetOrAdd(name, static n => new ListenerStats(n));

    public ICollection<ListenerStats> All => _byName.Values;
}
