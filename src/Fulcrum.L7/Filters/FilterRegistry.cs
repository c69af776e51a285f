using System.Collections.Frozen;
using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Filters;

/// <summary>The filters a route's `filters:` may name. <see cref="Default"/> has Fulcrum's own; a test or an embedder may add more.</summary>
internal sealed class FilterRegistry
{
    private readonly FrozenDictionary<string, IHttpFilterFactory> _factories;

    public FilterRegistry(IEnumerable<IHttpFilterFactory> factories) =>
        _factories = factories.ToFrozenDictionary(static f => f.Name, StringComparer.Ordinal);

    public static FilterRegistry Default { get; } = new([new ServedByFilter.Factory()]);

    /// <summary>A registry with Fulcrum's own filters and <paramref name="more"/>.</summary>
    public FilterRegistry With(params IHttpFilterFactory[] more) => new([.. _factories.Values, .. more]);

    /// <summary>The factory of <paramref name="config"/>, or null with an error naming the filters there are.</summary>
    public IHttpFilterFactory? Find(FilterConfig config, List<ConfigError> errors)
    {
        if (_factories.TryGetValue(config.Name, out var factory)) return factory;
        var known = string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal));
        errors.Add(new ConfigError(config.Location, $"unknown filter '{config.Name}'; known filters: {known}"));
        return null;
    }
}
