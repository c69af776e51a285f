using Fulcrum.Core.Configuration;
using Fulcrum.L7.Answers;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using Microsoft.Net.Http.Headers;

namespace Fulcrum.L7.Auth;

/// <summary>
/// A route's `auth.jwt` (docs/protection.md): the token must name an accepted algorithm (never `none`), verify with a
/// key of the JWKS (a `kid` the set lacks makes the source load again, at most every 30 s), come from an accepted
/// issuer for an accepted audience, and be within its lifetime give or take the clock skew; then carry the required
/// claims. The client's own copies of the `forward-claims` headers are removed before anything, so a backend only ever
/// sees values Fulcrum verified. The verified token stays on the exchange for `jwt:CLAIM` rate-limit keys.
/// </summary>
internal sealed class JwtFilter : HttpFilter
{
    private static readonly JsonWebTokenHandler Handler = new();
    private readonly JwtAuthConfig _config;
    private readonly JwksSource _source;
    private readonly TimeProvider _time;
    private readonly JwtVerdicts _verdicts;
    private readonly ValidatedTokens _validated;
    private readonly string[] _forwardHeaders;
    private readonly string[] _forwardClaims;
    private volatile Parameters? _parameters;

    public JwtFilter(JwtAuthConfig config, JwksSource source, TimeProvider time, JwtVerdicts verdicts, ValidatedTokens? validated = null)
    {
        _validated = validated ?? new ValidatedTokens();
        _config = config;
        _source = source;
        _time = time;
        _verdicts = verdicts;
        _forwardClaims = [.. config.ForwardClaims.Select(static c => c.Key)];
        _forwardHeaders = [.. config.ForwardClaims.Select(static c => c.Value)];
    }

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    // The validation settings for one key set, made again only when the set changes.
    private sealed record Parameters(int Version, TokenValidationParameters Validation);

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        var headers = exchange.RequestHeaders;
        foreach (var header in _forwardHeaders) headers.Remove(header);
        // Tokens are remembered by where they came (the whole header, `Bearer ` included), so a repeated one is found
        // without cutting the token out of it: a 1 KB string a request saved.
        if (RawOf(exchange) is not { Length: > 0 } raw) return Refuse(exchange, JwtVerdicts.NoToken);
        if (_source.Keys is { } keys && _validated.TryGet(raw, keys.Version, out var known))
        {
            // Signature, issuer, audience and algorithm hold for these bytes and keys; only time moves.
            if (_time.GetUtcNow().UtcDateTime > known.Expires + _config.ClockSkew) return Refuse(exchange, JwtVerdicts.Expired);
            return Accept(exchange, known);
        }

        if (TokenIn(raw) is not { Length: > 0 } text) return Refuse(exchange, JwtVerdicts.NoToken);
        return ValidateAsync(exchange, raw, text);
    }

    private async ValueTask<FilterResult> ValidateAsync(HttpExchange exchange, string raw, string text)
    {
        JsonWebToken token;
        try
        {
            token = new JsonWebToken(text);
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenMalformedException)
        {
            return Refused(exchange, JwtVerdicts.Malformed);
        }

        if (token.IsEncrypted) return Refused(exchange, JwtVerdicts.Malformed);
        if (!_config.Algorithms.Contains(token.Alg)) return Refused(exchange, JwtVerdicts.BadAlgorithm);

        var keys = await _source.GetAsync();
        if (keys is null) return Refused(exchange, JwtVerdicts.NoKeys);
        if (keys.For(token.Kid) is null)
        {
            keys = await _source.ReloadForUnknownKidAsync(token.Kid);
            if (keys?.For(token.Kid) is null) return Refused(exchange, JwtVerdicts.UnknownKid);
        }

        var result = await Handler.ValidateTokenAsync(token, ParametersFor(keys));
        if (!result.IsValid) return Refused(exchange, JwtVerdicts.ReasonOf(result.Exception));
        if (Lifetime(token) is { } late) return Refused(exchange, late);

        var entry = new ValidatedTokens.Entry(token, keys.Version, token.ValidTo, ClaimsMet(token), Forwarded(token));
        _validated.Add(raw, entry);
        return Accepted(exchange, entry);
    }

    private ValueTask<FilterResult> Accept(HttpExchange exchange, ValidatedTokens.Entry entry) => new(Accepted(exchange, entry));

    private FilterResult Accepted(HttpExchange exchange, ValidatedTokens.Entry entry)
    {
        if (!entry.ClaimsMet) return Refused(exchange, JwtVerdicts.MissingClaim);
        _verdicts.Allowed.Increment();
        exchange.Token = entry.Token;
        var headers = exchange.RequestHeaders;
        for (var i = 0; i < _forwardHeaders.Length; i++)
        {
            if (entry.Forwarded[i] is { } value) headers[_forwardHeaders[i]] = value;
        }

        if (!_config.ForwardToken) RemoveToken(exchange);
        return FilterResult.Continue;
    }

    private ValueTask<FilterResult> Refuse(HttpExchange exchange, string reason) => new(Refused(exchange, reason));

    private FilterResult Refused(HttpExchange exchange, string reason)
    {
        var verdict = _verdicts[reason];
        verdict.Counter.Increment();
        exchange.Record.Protection = verdict.Counter.LogText;
        PlainTextAnswer.Set(exchange, verdict.Status, verdict.Body);
        exchange.ResponseHeaders[HeaderNames.WWWAuthenticate] = verdict.Challenge;
        return FilterResult.Answered;
    }

    private string? RawOf(HttpExchange exchange) => _config.Token switch
    {
        JwtTokenSource.Bearer => exchange.RequestHeaders.Authorization.ToString(),
        JwtTokenSource.Header => exchange.RequestHeaders[_config.TokenName!].ToString(),
        JwtTokenSource.Cookie => exchange.Cookie(_config.TokenName!),
        _ => exchange.QueryValue(_config.TokenName!).ToString(),
    };

    // `Bearer TOKEN` (the scheme is case-insensitive, RFC 9110 section 11.1); a bare token too from another header,
    // a cookie or the query.
    private string? TokenIn(string raw)
    {
        const string Scheme = "Bearer ";
        if (_config.Token is JwtTokenSource.Cookie or JwtTokenSource.Query) return raw;
        if (raw.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return raw[Scheme.Length..].Trim();
        return _config.Token == JwtTokenSource.Bearer ? null : raw.Trim();
    }

    private void RemoveToken(HttpExchange exchange)
    {
        if (_config.Token == JwtTokenSource.Bearer) exchange.RequestHeaders.Remove(HeaderNames.Authorization);
        else if (_config.Token == JwtTokenSource.Header) exchange.RequestHeaders.Remove(_config.TokenName!);
    }

    private TokenValidationParameters ParametersFor(JwksKeys keys)
    {
        var current = _parameters;
        if (current?.Version == keys.Version) return current.Validation;
        var validation = new TokenValidationParameters
        {
            ValidIssuers = _config.Issuers,
            ValidateIssuer = true,
            ValidAudiences = _config.Audiences,
            ValidateAudience = !_config.Audiences.IsEmpty,
            ValidAlgorithms = _config.Algorithms,
            IssuerSigningKeys = keys.All,
            ClockSkew = _config.ClockSkew,
            RequireSignedTokens = true,
            ValidateLifetime = false, // checked by Lifetime() on the injected clock, which the library's parameters do not take
            ValidateIssuerSigningKey = false,
            LogValidationExceptions = false,
        };
        _parameters = new Parameters(keys.Version, validation);
        return validation;
    }

    // RFC 7519 sections 4.1.4 and 4.1.5, with the clock skew either way; a token without `exp` is refused (it would never end).
    private string? Lifetime(JsonWebToken token)
    {
        if (!token.TryGetPayloadValue<object>("exp", out _)) return JwtVerdicts.NoExpiry;
        var now = _time.GetUtcNow().UtcDateTime;
        if (now > token.ValidTo + _config.ClockSkew) return JwtVerdicts.Expired;
        if (token.ValidFrom != DateTime.MinValue && now + _config.ClockSkew < token.ValidFrom) return JwtVerdicts.NotYetValid;
        return null;
    }

    private bool ClaimsMet(JsonWebToken token)
    {
        foreach (var requirement in _config.Require)
        {
            var values = TokenClaims.Values(token, requirement.Claim);
            if (values.Count == 0) return false;
            if (requirement.Values.IsEmpty) continue;
            if (!values.Exists(v => requirement.Values.Contains(v))) return false;
        }

        return true;
    }

    private string?[] Forwarded(JsonWebToken token)
    {
        var values = new string?[_forwardClaims.Length];
        for (var i = 0; i < values.Length; i++) values[i] = TokenClaims.First(token, _forwardClaims[i]);
        return values;
    }
}
