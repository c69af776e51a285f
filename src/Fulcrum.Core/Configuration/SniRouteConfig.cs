namespace Fulcrum.Core.Configuration;

/// <summary>
/// tcp listeners: TLS passthrough routed by the ClientHello's server name. `server-name` is an exact
/// name, a `*.example.com` wildcard (one or more labels before example.com) or `*` (the default).
/// </summary>
public sealed record SniRouteConfig
{
    public required string ServerName { get; init; }
    public required string Pool { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
