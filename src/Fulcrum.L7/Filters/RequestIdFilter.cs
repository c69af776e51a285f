using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Filters;

/// <summary>
/// `request-id` on the listener: X-Request-ID is made here, forwarded to the backend, logged, and returned on every
/// response (the backend's own copy replaced), so one id follows a request through balancer and backend logs. A sane
/// id from a trusted proxy (`trusted-proxies`) is kept, so the id of an earlier tier follows the request too; a
/// client's own is replaced, as Envoy does at the edge: an id anyone can choose could collide with another's.
/// </summary>
internal sealed class RequestIdFilter(Random random) : HttpFilter
{
    public const string HeaderName = "X-Request-ID";

    /// <summary>Longer ids are replaced rather than forwarded: an id is for logs, not a payload.</summary>
    public const int MaxLength = 200;

    public override FilterHooks Hooks => FilterHooks.RequestHead | FilterHooks.ResponseHead;

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        var id = exchange.RequestHeader(HeaderName);
        string value;
        if (exchange.FromTrustedProxy && id.Count == 1 && id[0] is { Length: > 0 and <= MaxLength } given)
        {
            value = given;
        }
        else
        {
            value = NewId();
            exchange.SetRequestHeader(HeaderName, value);
        }

        exchange.Record.RequestId = value;
        return Continue;
    }

    // 128 random bits as 32 hex digits, like a Guid's "N" form. The pool's random source, not Guid.NewGuid: an id is
    // for finding a request in logs, not a secret, and a cryptographic draw per request cost a syscall on Linux.
    private string NewId() => string.Create(32, random, static (chars, source) =>
    {
        Span<byte> bytes = stackalloc byte[16];
        source.NextBytes(bytes);
        Convert.TryToHexStringLower(bytes, chars, out _);
    });

    public override void OnResponseHead(HttpExchange exchange)
    {
        if (exchange.Record.RequestId is { } id) exchange.SetResponseHeader(HeaderName, id);
    }
}
