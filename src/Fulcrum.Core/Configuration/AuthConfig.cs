namespace Fulcrum.Core.Configuration;

/// <summary>
/// A route's `auth` (docs/protection.md): who may reach its backends. Each method given must pass, in the order basic,
/// jwt, forward, like nginx's `satisfy all`; each is a filter at the Authentication stage.
/// </summary>
public sealed record AuthConfig
{
    /// <summary>`jwt`: a bearer token signed by a key of a JWKS, from an issuer, for an audience.</summary>
    public JwtAuthConfig? Jwt { get; init; }
    /// <summary>`basic`: a user and password from an htpasswd file of bcrypt hashes.</summary>
    public BasicAuthConfig? Basic { get; init; }
    /// <summary>`forward`: a subrequest to an auth service decides, as nginx's `auth_request` and Traefik's ForwardAuth.</summary>
    public ForwardAuthConfig? Forward { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
