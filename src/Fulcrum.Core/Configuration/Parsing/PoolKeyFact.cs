namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// A pool key whose value works for only some kinds of listener: `hash-key: header:X` or cookie affinity need HTTP,
/// `proxy-protocol` needs tcp listeners. Checked once every listener is known; Why, when given, ends the error.
/// </summary>
internal sealed record PoolKeyFact(string Pool, string Key, string Value, ListenerProtocol[] Suits, SourceLocation Location, string? Why = null)
{
    public static readonly ListenerProtocol[] Http = [ListenerProtocol.Http, ListenerProtocol.Https];
}
