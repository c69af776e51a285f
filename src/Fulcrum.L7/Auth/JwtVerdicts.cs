using System.Text;
using Fulcrum.Core.Observability;
using Microsoft.IdentityModel.Tokens;

namespace Fulcrum.L7.Auth;

/// <summary>
/// The answers and counters of one route's `auth.jwt`, made when the route is built: for each reason a token is
/// refused, its counter, its `WWW-Authenticate` challenge and its body, so refusing allocates nothing.
/// </summary>
internal sealed class JwtVerdicts
{
    public const string NoToken = "no-token", Malformed = "malformed", BadAlgorithm = "bad-algorithm", UnknownKid = "unknown-kid",
        NoKeys = "no-keys", BadSignature = "bad-signature", Expired = "expired", NotYetValid = "not-yet-valid", NoExpiry = "no-expiry",
        BadIssuer = "bad-issuer", BadAudience = "bad-audience", Invalid = "invalid", MissingClaim = "missing-claim";

    private static readonly string[] Reasons =
        [NoToken, Malformed, BadAlgorithm, UnknownKid, NoKeys, BadSignature, Expired, NotYetValid, NoExpiry, BadIssuer, BadAudience, Invalid, MissingClaim];

    private readonly Dictionary<string, Verdict> _refusals = new(StringComparer.Ordinal);

    public JwtVerdicts(ProtectionStats stats, string listener, string route, string? realm)
    {
        Allowed = stats.Counter(listener, route, "auth", "allowed");
        foreach (var reason in Reasons)
        {
            var (status, error) = reason switch
            {
                NoToken => (401, null),
                MissingClaim => (403, "insufficient_scope"),
                _ => (401, "invalid_token"),
            };
            var text = status == 401 ? "401 unauthorized" : "403 forbidden";
            _refusals[reason] = new Verdict(
                stats.Counter(listener, route, "auth", "rejected", reason),
                status,
                BearerChallenge.For(realm, error, error is null ? null : reason),
                Encoding.UTF8.GetBytes($"{text}: {Describe(reason)}\n"));
        }
    }

    /// <summary>A refusal: its counter, status, challenge and body.</summary>
    public sealed record Verdict(ProtectionCounter Counter, int Status, string Challenge, byte[] Body);

    public ProtectionCounter Allowed { get; }

    public Verdict this[string reason] => _refusals[reason];

    /// <summary>The reason a failed validation gives, from the library's exception type.</summary>
    public static string ReasonOf(Exception? exception) => exception switch
    {
        SecurityTokenExpiredException => Expired,
        SecurityTokenNotYetValidException => NotYetValid,
        SecurityTokenNoExpirationException => NoExpiry,
        SecurityTokenInvalidIssuerException => BadIssuer,
        SecurityTokenInvalidAudienceException => BadAudience,
        SecurityTokenInvalidAlgorithmException => BadAlgorithm,
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => BadSignature,
        SecurityTokenMalformedException => Malformed,
        _ => Invalid,
    };

    private static string Describe(string reason) => reason switch
    {
        NoToken => "this route needs a bearer token",
        Malformed => "the token is not a signed JWT",
        BadAlgorithm => "the token's algorithm is not accepted here",
        UnknownKid => "the token's key is not in the key set",
        NoKeys => "the key set could not be loaded",
        BadSignature => "the token's signature does not verify",
        Expired => "the token has expired",
        NotYetValid => "the token is not valid yet",
        NoExpiry => "the token has no expiry",
        BadIssuer => "the token's issuer is not accepted here",
        BadAudience => "the token is not for this audience",
        MissingClaim => "the token lacks a claim this route requires",
        _ => "the token is not valid",
    };
}
