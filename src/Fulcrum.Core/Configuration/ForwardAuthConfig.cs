using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// `auth.forward` on a route: before the backend, a GET to <see cref="Url"/> with the request's headers and
/// X-Forwarded-Method/-Proto/-Host/-Uri/-For. A 2xx lets the request through with <see cref="CopyHeaders"/> copied from the
/// answer onto it; any other answer goes back to the client as the auth service gave it (Traefik's ForwardAuth).
/// </summary>
public sealed record ForwardAuthConfig
{
    /// <summary>`url`: the auth service, http or https.</summary>
    public string Url { get; init; } = "";
    /// <summary>`copy-headers`: headers of the auth service's 2xx put on the request to the backend (the client's copies removed first).</summary>
    public ImmutableArray<string> CopyHeaders { get; init; } = [];
    /// <summary>`request-headers`: the client's headers sent to the auth service; empty: all of them (nginx and Traefik's default).</summary>
    public ImmutableArray<string> RequestHeaders { get; init; } = [];
    /// <summary>`timeout`: for the whole subrequest (default 5s); past it the client gets 503.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(5);
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
