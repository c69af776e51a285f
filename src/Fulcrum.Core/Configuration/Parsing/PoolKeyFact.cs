namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>
/// A pool key whose value works for only one kind of listener: `hash-key: header:X` or cookie affinity need HTTP,
/// `proxy-protocol` needs a tcp or udp listener. Checked once every listener is known.
/// </summary>
internal sealed record PoolKeyFact(string Pool, string Key, string Value, bool NeedsHttp, SourceLocation Location);
