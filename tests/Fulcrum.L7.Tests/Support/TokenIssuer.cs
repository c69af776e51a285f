using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Fulcrum.L7.Tests.Support;

/// <summary>
/// An identity provider in miniature: RSA signing keys by `kid`, the JWK Set of those it publishes, and tokens signed
/// with any of them (published or not), with lifetimes on the clock the test gives.
/// </summary>
public sealed class TokenIssuer(TimeProvider clock, string issuer = TokenIssuer.Issuer, string audience = TokenIssuer.Audience)
{
    public const string Issuer = "https://id.example", Audience = "api";
    private static readonly JsonWebTokenHandler Handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly Dictionary<string, RsaSecurityKey> _keys = [];

    /// <summary>The key of <paramref name="kid"/>, made on first use.</summary>
    public RsaSecurityKey Key(string kid)
    {
        lock (_keys)
        {
            if (!_keys.TryGetValue(kid, out var key)) _keys[kid] = key = new RsaSecurityKey(RSA.Create(2048)) { KeyId = kid };
            return key;
        }
    }

    /// <summary>A JWK Set (RFC 7517 section 5) with the public halves of <paramref name="kids"/>.</summary>
    public string Jwks(params string[] kids)
    {
        var keys = kids.Select(kid =>
        {
            var p = Key(kid).Rsa.ExportParameters(false);
            return new Dictionary<string, string>
            {
                ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = kid,
                ["n"] = Base64UrlEncoder.Encode(p.Modulus), ["e"] = Base64UrlEncoder.Encode(p.Exponent),
            };
        });
        return JsonSerializer.Serialize(new { keys });
    }

    /// <summary>A token signed RS256 by <paramref name="kid"/>'s key, valid for an hour from now unless told otherwise.</summary>
    public string Token(string kid = "k1", string sub = "alice", TimeSpan? expiresIn = null, string? iss = null, string? aud = null,
        IDictionary<string, object>? claims = null, RsaSecurityKey? signWith = null)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var payload = new Dictionary<string, object>(claims ?? new Dictionary<string, object>()) { ["sub"] = sub };
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = iss ?? issuer,
            Audience = aud ?? audience,
            IssuedAt = now.AddMinutes(-1),
            NotBefore = now.AddMinutes(-1),
            Expires = now + (expiresIn ?? TimeSpan.FromHours(1)),
            Claims = payload,
            SigningCredentials = new SigningCredentials(signWith ?? Key(kid), SecurityAlgorithms.RsaSha256),
        };
        return Handler.CreateToken(descriptor);
    }

    /// <summary>An unsigned token (`alg: none`, RFC 7519 section 6) with good claims otherwise: what CVE-2015-9235-style forgeries send.</summary>
    public string Unsigned(string sub = "mallory")
    {
        var exp = clock.GetUtcNow().AddHours(1).ToUnixTimeSeconds();
        var header = Base64UrlEncoder.Encode("""{"alg":"none","typ":"JWT","kid":"k1"}""");
        var body = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { iss = issuer, aud = audience, sub, exp })));
        return $"{header}.{body}.";
    }
}
