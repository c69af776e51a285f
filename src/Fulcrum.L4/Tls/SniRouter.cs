using System.Collections.Frozen;
using System.Collections.Immutable;
using Fulcrum.Core.Configuration;

namespace Fulcrum.L4.Tls;

/// <summary>
/// Chooses a pool by server name: an exact name first, then the longest matching `*.suffix`
/// (one or more labels before the suffix, as L7 host matching does), then `*`.
/// </summary>
public sealed class SniRouter
{
    private readonly FrozenDictionary<string, string> _exact;
    private readonly (string Suffix, string Pool)[] _wildcards;
    private readonly string? _default;

    public SniRouter(ImmutableArray<SniRouteConfig> routes)
    {
        var exact = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var wildcards = new List<(string, string)>();
        foreach (var r in routes)
        {
            var name = r.ServerName.Trim().TrimEnd('.').ToLowerInvariant();
            if (name == "*") _default ??= r.Pool;
            else if (name.StartsWith("*.", StringComparison.Ordinal)) wildcards.Add((name[1..], r.Pool));
            else exact.TryAdd(name, r.Pool);
        }

        _exact = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        wildcards.Sort((a, b) => b.Item1.Length.CompareTo(a.Item1.Length));
        _wildcards = [.. wildcards];
    }

    /// <summary>The pool for this server name (null when the ClientHello had none), or null when nothing matches.</summary>
    public string? Route(string? serverName)
    {
        if (serverName is not null)
        {
            if (_exact.TryGetValue(serverName, out var pool)) return pool;
            foreach (var (suffix, p) in _wildcards)
            {
                // ".example.com" must be preceded by at least one label.
                if (serverName.Length > suffix.Length && serverName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return p;
            }
        }

        return _default;
    }
}
