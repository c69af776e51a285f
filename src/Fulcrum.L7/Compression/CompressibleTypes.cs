using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Fulcrum.L7.Compression;

/// <summary>
/// The media types a route's `compress.types` lists, compiled once: exact types in a set, `type/*` and
/// `type/*+suffix` as families. A Content-Type's parameters (`; charset=utf-8`) and case are ignored.
/// </summary>
internal sealed class CompressibleTypes
{
    private readonly FrozenSet<string> _exact;
    private readonly string[] _families;          // "text/" for text/*
    private readonly (string Type, string Suffix)[] _suffixes; // ("application/", "+json") for application/*+json
    private readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _lookup;

    public CompressibleTypes(ImmutableArray<string> types)
    {
        _exact = types.Where(static t => !t.Contains('*')).ToFrozenSet(StringComparer.OrdinalIgnoreCase);
        _lookup = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _families = [.. types.Where(static t => t.EndsWith("/*", StringComparison.Ordinal)).Select(static t => t[..^1])];
        _suffixes = [.. types.Where(static t => t.Contains("/*+", StringComparison.Ordinal))
            .Select(static t => (t[..(t.IndexOf('*'))], t[(t.IndexOf('*') + 1)..]))];
    }

    public bool Contains(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType)) return false;
        var type = contentType.AsSpan();
        var semicolon = type.IndexOf(';');
        if (semicolon >= 0) type = type[..semicolon];
        type = type.Trim(" \t");
        // Server-sent events are a stream the client reads as it comes: buffering them in an encoder would hold events back.
        if (type.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase)) return false;
        if (_lookup.Contains(type)) return true;
        foreach (var family in _families)
        {
            if (type.StartsWith(family, StringComparison.OrdinalIgnoreCase)) return true;
        }

        foreach (var (prefix, suffix) in _suffixes)
        {
            if (type.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) && type.EndsWith(suffix, StringComparison.OrdinalIgnoreCase)) return true;
        }

        return false;
    }
}
