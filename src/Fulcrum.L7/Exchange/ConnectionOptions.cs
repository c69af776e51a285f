
namespace Fulcrum.L7.Exchange;

/// <summary>
/// RFC 9110 section 7.6.1: a header the Connection header names is for this hop only. The front end removes them
/// before any filter runs, so the backend never gets them, and a client that names X-Forwarded-For or X-Request-ID
/// in Connection cannot make Fulcrum strip a header it adds itself (neither nginx nor HAProxy removes them at all).
/// The standard hop-by-hop names (Upgrade, TE, ...) are left for the backend leg, which never forwards them, since
/// an upgrade still needs its Upgrade header to reach the upgrade leg.
/// </summary>
internal static class ConnectionOptions
{
    public static void RemoveNamed(HttpExchange exchange)
    {
        var connection = exchange.RequestHeader("Connection");
        if (connection.Count == 0) return;
        foreach (var value in connection)
        {
            if (value is null) continue;
            foreach (var range in value.AsSpan().Split(','))
            {
                var token = value.AsSpan(range).Trim(" \t");
                if (token.Length == 0 || IsKnownOption(token)) continue;
                exchange.RemoveRequestHeader(token.ToString());
            }
        }
    }

    // close and keep-alive are the connection's own options; the hop-by-hop names the leg drops anyway.
    private static bool IsKnownOption(ReadOnlySpan<char> token) =>
        token.Equals("close", StringComparison.OrdinalIgnoreCase) || token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)
        || BackendHttp.HeaderNames.IsHopByHop(token.ToString());
}
