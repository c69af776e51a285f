using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Observability;
using Fulcrum.L7.Answers;
using Fulcrum.L7.Exchange;
using Fulcrum.L7.Filters;
using Microsoft.Net.Http.Headers;

namespace Fulcrum.L7.Auth;

/// <summary>
/// A route's `auth.basic` (docs/protection.md): HTTP Basic (RFC 7617) against an htpasswd file's bcrypt hashes. Wrong or
/// missing credentials get 401 with `WWW-Authenticate: Basic realm=..., charset="UTF-8"`. bcrypt is slow on purpose (tens
/// of milliseconds at htpasswd's cost 5 to 12 and more), so credentials that verified are remembered, by a SHA-256 of the
/// header and never as text, for the life of the route; an unknown user costs a bcrypt too, so timing does not tell
/// which users exist.
/// </summary>
internal sealed class BasicAuthFilter : HttpFilter
{
    private const int RememberedAtMost = 1024;
    // A hash of a password nobody has, verified for unknown users so they take as long as known ones.
    private static readonly string Decoy = BCrypt.Net.BCrypt.HashPassword(Guid.NewGuid().ToString(), 10);
    private readonly FrozenDictionary<string, string> _users;
    private readonly string? _userHeader;
    private readonly string _challenge;
    private readonly ConcurrentDictionary<UInt128, string> _verified = new();
    private readonly ProtectionCounter _allowed;
    private readonly (ProtectionCounter Counter, byte[] Body) _noCredentials, _malformed, _unknownUser, _badPassword;

    public BasicAuthFilter(BasicAuthConfig config, FrozenDictionary<string, string> users, ProtectionStats stats, string listener, string route)
    {
        _users = users;
        _userHeader = config.UserHeader;
        _challenge = $"Basic realm=\"{config.Realm}\", charset=\"UTF-8\"";
        _allowed = stats.Counter(listener, route, "auth", "allowed");
        (ProtectionCounter, byte[]) Refusal(string reason, string text) =>
            (stats.Counter(listener, route, "auth", "rejected", reason), Encoding.UTF8.GetBytes($"401 unauthorized: {text}\n"));
        _noCredentials = Refusal("no-credentials", "this route needs a user and password");
        _malformed = Refusal("malformed", "the Authorization header is not Basic credentials");
        _unknownUser = Refusal("unknown-user", "wrong user or password");
        _badPassword = Refusal("bad-password", "wrong user or password");
    }

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        if (_userHeader is not null) exchange.RequestHeaders.Remove(_userHeader);
        var value = exchange.RequestHeaders.Authorization.ToString();
        const string Scheme = "Basic ";
        if (!value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)) return Refuse(exchange, _noCredentials);

        var fingerprint = Fingerprint(value);
        if (!_verified.TryGetValue(fingerprint, out var user))
        {
            if (!TryDecode(value.AsSpan(Scheme.Length).Trim(), out user, out var password)) return Refuse(exchange, _malformed);
            var known = _users.TryGetValue(user, out var hash);
            var matches = BCrypt.Net.BCrypt.Verify(password, known ? hash : Decoy);
            if (!known) return Refuse(exchange, _unknownUser);
            if (!matches) return Refuse(exchange, _badPassword);
            if (_verified.Count >= RememberedAtMost) _verified.Clear();
            _verified[fingerprint] = user;
        }

        _allowed.Increment();
        if (_userHeader is not null) exchange.RequestHeaders[_userHeader] = user;
        return Continue;
    }

    private ValueTask<FilterResult> Refuse(HttpExchange exchange, (ProtectionCounter Counter, byte[] Body) refusal)
    {
        refusal.Counter.Increment();
        exchange.Record.Protection = refusal.Counter.LogText;
        PlainTextAnswer.Set(exchange, 401, refusal.Body);
        exchange.ResponseHeaders[HeaderNames.WWWAuthenticate] = _challenge;
        return Answered;
    }

    private static UInt128 Fingerprint(string header)
    {
        Span<byte> hash = stackalloc byte[32];
        var bytes = Encoding.UTF8.GetByteCount(header) <= 1024 ? stackalloc byte[1024] : new byte[Encoding.UTF8.GetByteCount(header)];
        var length = Encoding.UTF8.GetBytes(header, bytes);
        SHA256.HashData(bytes[..length], hash);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt128LittleEndian(hash);
    }

    // base64(user ":" password) in UTF-8 (RFC 7617 section 2 and 2.1); the user may not contain a colon.
    private static bool TryDecode(ReadOnlySpan<char> encoded, out string user, out string password)
    {
        user = password = "";
        var buffer = new byte[(encoded.Length * 3 / 4) + 3];
        if (!Convert.TryFromBase64Chars(encoded, buffer, out var length)) return false;
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, length);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        var colon = text.IndexOf(':');
        if (colon < 0) return false;
        user = text[..colon];
        password = text[(colon + 1)..];
        return true;
    }
}
