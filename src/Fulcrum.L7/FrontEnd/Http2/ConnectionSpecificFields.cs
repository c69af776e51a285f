namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// RFC 9113 section 8.2.2: the HTTP/1.1 connection fields that mean nothing in HTTP/2. A request carrying one is
/// malformed, and a response must not, so the decoder refuses them and the encoder leaves them out.
/// </summary>
internal static class ConnectionSpecificFields
{
    public static bool Contains(string name) => name.Length switch
    {
        7 => name.Equals("Upgrade", StringComparison.OrdinalIgnoreCase),
        10 => name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase),
        16 => name.Equals("Proxy-Connection", StringComparison.OrdinalIgnoreCase),
        17 => name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };
}
