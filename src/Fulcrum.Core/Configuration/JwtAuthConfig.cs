using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// `auth.jwt` on a route: the token must be signed by a key of <see cref="Jwks"/> with one of <see cref="Algorithms"/>,
/// issued by one of <see cref="Issuers"/> for one of <see cref="Audiences"/>, and be within its lifetime give or take
/// <see cref="ClockSkew"/>. No token or a bad one is a 401 with `WWW-Authenticate: Bearer` (RFC 6750); a good one that
/// lacks a <see cref="Require"/>d claim is a 403.
/// </summary>
public sealed record JwtAuthConfig
{
    /// <summary>The asymmetric algorithms of RFC 7518 section 3.1; HMAC ones only when listed (the JWKS would hold a shared secret).</summary>
    public static readonly ImmutableArray<string> DefaultAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    /// <summary>Every algorithm Fulcrum verifies; never `none`.</summary>
    public static readonly ImmutableArray<string> KnownAlgorithms = [.. DefaultAlgorithms, "HS256", "HS384", "HS512"];

    /// <summary>`issuer`: the `iss` values accepted (required).</summary>
    public ImmutableArray<string> Issuers { get; init; } = [];
    /// <summary>`audience`: the `aud` values accepted; empty: `aud` is not checked.</summary>
    public ImmutableArray<string> Audiences { get; init; } = [];
    /// <summary>`jwks`: a file (relative to the config's folder) or an http(s) URL serving a JWK Set (RFC 7517 section 5).</summary>
    public string Jwks { get; init; } = "";
    public ImmutableArray<string> Algorithms { get; init; } = DefaultAlgorithms;
    /// <summary>`clock-skew`: leeway on `exp` and `nbf` (default 60s, as Envoy's jwt_authn).</summary>
    public TimeSpan ClockSkew { get; init; } = TimeSpan.FromSeconds(60);
    /// <summary>`jwks-refresh`: how often the key set is fetched again in the background, less up to 10% jitter (default 5m).</summary>
    public TimeSpan JwksRefresh { get; init; } = TimeSpan.FromMinutes(5);
    /// <summary>`jwks-timeout`: how long one fetch of a JWKS URL may take (default 5s).</summary>
    public TimeSpan JwksTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public JwtTokenSource Token { get; init; } = JwtTokenSource.Bearer;
    /// <summary>The header, cookie or query parameter name for those token sources.</summary>
    public string? TokenName { get; init; }
    /// <summary>`require`: claims the token must carry (403 when it does not).</summary>
    public ImmutableArray<ClaimRequirement> Require { get; init; } = [];
    /// <summary>`forward-claims`: claim to request header; the client's own copies of those headers are removed first.</summary>
    public ImmutableArray<KeyValuePair<string, string>> ForwardClaims { get; init; } = [];
    /// <summary>`forward-token`: pass the token on to the backend (default true); false removes it, as Envoy's default.</summary>
    public bool ForwardToken { get; init; } = true;
    /// <summary>`realm` in the `WWW-Authenticate` challenge (default none).</summary>
    public string? Realm { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
    /// <summary>Where the `jwks` key is, for errors about the file it names.</summary>
    public SourceLocation JwksLocation { get; init; } = SourceLocation.None;

    public bool JwksIsUrl => Jwks.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || Jwks.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
}
