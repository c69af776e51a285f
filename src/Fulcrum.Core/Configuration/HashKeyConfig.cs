namespace Fulcrum.Core.Configuration;

public enum HashKeySource
{
    SourceIp,
    SourceIpPort,
    Header,
    Cookie,
    Query,
    Path,
}

/// <summary>What a hashing balancer hashes: `source-ip`, `source-ip-port`, `header:NAME`, `cookie:NAME`, `query:NAME`, `path`.</summary>
public sealed record HashKeyConfig(HashKeySource Source, string? Name = null)
{
    public static readonly HashKeyConfig SourceIp = new(HashKeySource.SourceIp);

    public override string ToString() => Name is null
        ? Source switch { HashKeySource.SourceIp => "source-ip", HashKeySource.SourceIpPort => "source-ip-port", _ => "path" }
        : $"{Source.ToString().ToLowerInvariant()}:{Name}";
}
