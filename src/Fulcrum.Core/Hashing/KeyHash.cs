using System.Runtime.InteropServices;

namespace Fulcrum.Core.Hashing;

/// <summary>
/// 64-bit FNV-1a over the key's bytes followed by a murmur3 finalizer (fmix64) so that similar keys
/// spread over the whole range; hashing rings and Maglev tables need well-mixed high bits.
/// </summary>
public static class KeyHash
{
    private const ulong Offset = 14695981039346656037UL;
    private const ulong Prime = 1099511628211UL;

    public static ulong Of(ReadOnlySpan<byte> key)
    {
        var h = Offset;
        foreach (var b in key)
        {
            h ^= b;
            h *= Prime;
        }

        return Mix(h);
    }

    public static ulong Of(ReadOnlySpan<char> key) => Of(MemoryMarshal.AsBytes(key));

    public static ulong Of(string key) => Of(key.AsSpan());

    public static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xff51afd7ed558ccdUL;
        h ^= h >> 33;
        h *= 0xc4ceb9fe1a85ec53UL;
        h ^= h >> 33;
        return h;
    }
}
