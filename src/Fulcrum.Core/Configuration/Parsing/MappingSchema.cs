using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// The key table of one kind of mapping (a pool, a route, ...): each known key and how to read it. Unknown keys are
/// errors with the nearest known key suggested. Adding a config key is adding one `.Key(...)` line.
/// </summary>
internal sealed class MappingSchema<T>(string what)
{
    private readonly Dictionary<string, KeyReader<T>> _readers = new(StringComparer.Ordinal);
    private readonly List<string> _required = [];
    private string? _ignoredPrefix;

    /// <summary>How errors name this mapping: "pool", "route", "health check".</summary>
    public string What { get; } = what;

    public IEnumerable<string> Keys => _readers.Keys;

    public MappingSchema<T> Key(string key, KeyReader<T> reader)
    {
        _readers.Add(key, reader);
        return this;
    }

    public MappingSchema<T> Required(string key, KeyReader<T> reader)
    {
        _required.Add(key);
        return Key(key, reader);
    }

    /// <summary>
    /// Keys with this prefix are skipped, so users can park YAML anchors under e.g. `x-defaults:` (the extension-field
    /// convention of Docker Compose).
    /// </summary>
    public MappingSchema<T> IgnoreKeysStartingWith(string prefix)
    {
        _ignoredPrefix = prefix;
        return this;
    }

    /// <summary>Reads a mapping onto <paramref name="seed"/>; a node that is not a mapping is an error and gives the seed.</summary>
    public T Read(YamlNode node, T seed, ParseContext context)
    {
        if (node is not YamlMappingNode mapping)
        {
            context.Error(node, $"{What} must be a mapping (key: value pairs), not {YamlReader.Describe(node)}");
            return seed;
        }

        var result = seed;
        foreach (var (keyNode, value) in mapping.Children)
        {
            if (keyNode is not YamlScalarNode { Value: { } key })
            {
                context.Error(keyNode, $"keys in {What} must be plain words, not {YamlReader.Describe(keyNode)}");
                continue;
            }

            if (_ignoredPrefix is not null && key.StartsWith(_ignoredPrefix, StringComparison.Ordinal)) continue;
            if (!_readers.TryGetValue(key, out var reader))
            {
                context.Error(keyNode, $"unknown key '{key}' in {What}{NameSuggester.DidYouMean(key, _readers.Keys)}");
                continue;
            }

            result = reader(result, value, context);
        }

        foreach (var key in _required)
        {
            if (YamlReader.Find(mapping, key) is null) context.Error(mapping, $"{What} is missing required key '{key}'");
        }

        return result;
    }
}
