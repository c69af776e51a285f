using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Waf;

/// <summary>
/// The loaded rule sets of the process, one per distinct <see cref="WafRuleSetKey"/>: loading the CRS takes a tenth of
/// a second to seconds and megabytes, so routes and reloads that ask for the same set share one, and `fulcrum run`
/// loads at its config check the set its routes then use. The last <see cref="Kept"/> sets asked for stay loaded;
/// an older one lives while a route or a request still holds it, then its SafeHandle frees it.
/// </summary>
internal sealed class WafRuleSets
{
    /// <summary>Sets kept loaded though no route holds them, so a reload that comes back to one does not load it again.</summary>
    public const int Kept = 4;

    private readonly object _lock = new();
    private readonly LinkedList<WafRules> _recent = new();

    /// <summary>The process's sets: shared by the config check and every http plane.</summary>
    public static WafRuleSets Shared { get; } = new();

    /// <summary>The set <paramref name="config"/> asks for, loaded now if need be; null with the error when it does not load.</summary>
    public WafRules? Get(WafConfig config, out string? error)
    {
        var key = WafRuleSetKey.Of(config);
        // Two routes asking for the same new set load it once (and WafRules loads one set at a time in the process).
        lock (_lock)
        {
            for (var node = _recent.First; node is not null; node = node.Next)
            {
                if (node.Value.Key != key) continue;
                _recent.Remove(node);
                _recent.AddFirst(node);
                error = null;
                return node.Value;
            }

            var rules = WafRules.Load(key, out error);
            if (rules is null) return null;
            _recent.AddFirst(rules);
            if (_recent.Count > Kept) _recent.RemoveLast(); // not disposed: a route may still hold it
            return rules;
        }
    }
}
