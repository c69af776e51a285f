namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A route, split target, sni route or listener naming a pool, from the listener at ListenerIndex.</summary>
internal sealed record PoolReference(string Pool, SourceLocation Location, int ListenerIndex);
