using System.Net;
using Fulcrum.Core.Balancing;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Hashing;
using Fulcrum.Core.Model;

namespace Fulcrum.L4;

/// <summary>The L4 hash keys: `source-ip` (address bytes) and `source-ip-port` (address bytes, then port).</summary>
internal static class SourceHash
{
    public static PickContext Of(Pool pool, IPEndPoint source)
    {
        if (!pool.UsesHash) return PickContext.None;
        Span<byte> key = stackalloc byte[18];
        var address = source.Address.IsIPv4MappedToIPv6 ? source.Address.MapToIPv4() : source.Address;
        address.TryWriteBytes(key, out var written);
        if (pool.Config.HashKey.Source == HashKeySource.SourceIpPort)
        {
            key[written++] = (byte)(source.Port >> 8);
            key[written++] = (byte)source.Port;
        }

        return new PickContext(KeyHash.Of(key[..written]));
    }
}
