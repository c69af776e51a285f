namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// What the section parsers saw that only makes sense once the whole file is read (pools may be defined after the
/// listeners that name them), with the exact location of each value so cross-check errors point at it.
/// </summary>
internal sealed class ConfigFacts
{
    public List<NamedItem> Listeners { get; } = [];
    public List<NamedItem> Pools { get; } = [];
    /// <summary>By listener index: its name and protocol, to tell which kinds of listener use a pool.</summary>
    public Dictionary<int, ListenerConfig> ListenersByIndex { get; } = [];
    public List<PoolReference> PoolReferences { get; } = [];
    public List<BindFact> Binds { get; } = [];
    public List<PoolKeyFact> PoolKeys { get; } = [];
    /// <summary>The `cluster:` section, when the file has one.</summary>
    public ClusterConfig? Cluster { get; set; }
    /// <summary>Where each `scope: cluster` rate limit says so: they need the `cluster:` section.</summary>
    public List<SourceLocation> ClusterScopes { get; } = [];
    /// <summary>The `geo:` section, when the file has one.</summary>
    public GeoConfig? Geo { get; set; }
    /// <summary>Where each `geo` match or site preference is: they need the `geo:` section.</summary>
    public List<SourceLocation> GeoUses { get; } = [];
}
