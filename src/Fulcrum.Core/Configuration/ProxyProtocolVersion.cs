namespace Fulcrum.Core.Configuration;

/// <summary>PROXY protocol header sent to a tcp pool's backends (haproxy doc/proxy-protocol.txt).</summary>
public enum ProxyProtocolVersion
{
    None,
    /// <summary>Human-readable line: `PROXY TCP4 src dst sport dport\r\n`.</summary>
    V1,
    /// <summary>Binary header with the 12-byte signature.</summary>
    V2,
}
