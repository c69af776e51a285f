using System.Net;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Hashing;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Forwarding;

/// <summary>
/// Reads a pool's hash-key from a request and hashes it with <see cref="KeyHash"/>. A missing key gives
/// <see cref="PickContext.None"/>, so the balancer falls back to its no-key choice instead of piling
/// every keyless request onto one backend.
/// </summary>
internal static class HashKeys
{
    public static PickContext Read(HashKeyConfig key, HttpExchange exchange)
    {
        switch (key.Source)
        {
            case HashKeySource.SourceIp:
            case HashKeySource.SourceIpPort:
                return FromAddress(exchange.ClientAddress, key.Source == HashKeySource.SourceIpPort ? exchange.ClientPort : -1);
            case HashKeySource.Header:
                return FromValue(exchange.RequestHeader(key.Name!).ToString());
            case HashKeySource.Cookie:
                return FromValue(exchange.Cookie(key.Name!));
            case HashKeySource.Query:
                return FromValue(exchange.QueryValue(key.Name!).ToString());
            case HashKeySource.Path:
                return FromValue(exchange.Path.Value);
            default:
                return PickContext.None;
        }
    }

    private static PickContext FromValue(string? value) =>
        string.IsNullOrEmpty(value) ? PickContext.None : new PickContext(KeyHash.Of(value));

    private static PickContext FromAddress(IPAddress? address, int port)
    {
        if (address is null) return PickContext.None;
        Span<byte> bytes = stackalloc byte[18];
        if (!address.TryWriteBytes(bytes, out var length)) return PickContext.None;
        if (port >= 0)
        {
            bytes[length++] = (byte)(port >> 8);
            bytes[length++] = (byte)port;
        }

        return new PickContext(KeyHash.Of(bytes[..length]));
    }
}
