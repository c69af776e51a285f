using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

public sealed record ListenerConfig
{
    public required string Name { get; init; }
    public required BindAddress Bind { get; init; }
    public ListenerProtocol Protocol { get; init; } = ListenerProtocol.Http;
    /// <summary>http/https: first match wins.</summary>
    public ImmutableArray<RouteConfig> Routes { get; init; } = [];
    /// <summary>tcp/udp: the one pool this listener feeds (unless routed by SNI).</summary>
    public string? Pool { get; init; }
    /// <summary>http/https: add X-Forwarded-For/Proto/Host (default true).</summary>
    public bool ForwardedHeaders { get; init; } = true;
    /// <summary>http/https: keep or generate X-Request-ID (default true).</summary>
    public bool RequestId { get; init; } = true;
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
