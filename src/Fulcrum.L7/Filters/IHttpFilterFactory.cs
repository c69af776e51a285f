using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Filters;

/// <summary>
/// Makes the filter a route's `filters:` entry names. Found by <see cref="Name"/> in a <see cref="FilterRegistry"/>,
/// so adding a filter is adding a class and registering it, as with the balancers.
/// </summary>
internal interface IHttpFilterFactory
{
    /// <summary>The name a config gives in `filters:`.</summary>
    string Name { get; }

    /// <summary>Where its filters sit in a route's chain.</summary>
    FilterStage Stage { get; }

    /// <summary>The filter for one route; null, with errors at the entry's location, when its settings are wrong.</summary>
    IHttpFilter? Create(FilterConfig config, List<ConfigError> errors);
}
