using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// One entry of a route's `filters:` list: a filter found by name, with its settings as plain strings. The filter
/// itself decides what its settings mean (the L7 plane checks them, so `fulcrum validate` reports them at their line).
/// </summary>
public sealed record FilterConfig
{
    public required string Name { get; init; }
    public ImmutableArray<KeyValuePair<string, string>> Settings { get; init; } = [];
    public SourceLocation Location { get; init; } = SourceLocation.None;

    /// <summary>The value of one setting, or null when it is not given.</summary>
    public string? Setting(string key)
    {
        foreach (var (k, v) in Settings)
        {
            if (string.Equals(k, key, StringComparison.Ordinal)) return v;
        }

        return null;
    }
}
