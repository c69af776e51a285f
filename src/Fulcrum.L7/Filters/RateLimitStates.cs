using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Filters;

/// <summary>
/// The counters of every `rate-limit` of one http plane, by listener, route and place in the route's list, so a
/// reload that keeps a limit keeps its counters (a client cannot reset its limit by waiting for a reload), and one
/// that changes or removes it starts afresh.
/// </summary>
internal sealed class RateLimitStates(TimeProvider time)
{
    private readonly Dictionary<string, RateLimitBuckets> _states = new(StringComparer.Ordinal);

    public RateLimitBuckets For(string listener, string route, int index, RateLimitConfig config)
    {
        var key = $"{listener}\n{route}\n{index}";
        lock (_states)
        {
            if (_states.TryGetValue(key, out var state) && state.Config.SameLimit(config)) return state;
            return _states[key] = new RateLimitBuckets(config, time);
        }
    }
}
