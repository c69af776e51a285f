namespace Fulcrum.Core.Configuration;

/// <summary>
/// tcp listeners: TLS passthrough routed by the ClientHello's server name. `*.example.com` matches one or more
/// labels; `*` alone matches any name and connections without SNI.
/// </summary>
public sealed record SniRoute
{
    public required string ServerName { get; init; }
    public required string Pool { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
