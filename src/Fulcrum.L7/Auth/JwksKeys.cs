using System.Collections.Frozen;
using Microsoft.IdentityModel.Tokens;

namespace Fulcrum.L7.Auth;

/// <summary>One loaded key set: its signing keys by `kid`, and a version that changes with every load (validation caches key on it).</summary>
internal sealed class JwksKeys
{
    private readonly FrozenDictionary<string, SecurityKey[]> _byKid;

    public JwksKeys(IList<SecurityKey> keys, int version)
    {
        All = [.. keys];
        Version = version;
        _byKid = All.Where(static k => !string.IsNullOrEmpty(k.KeyId))
            .GroupBy(static k => k.KeyId, StringComparer.Ordinal)
            .ToFrozenDictionary(static g => g.Key, static g => g.ToArray(), StringComparer.Ordinal);
    }

    public SecurityKey[] All { get; }
    public int Version { get; }

    /// <summary>The keys a token's `kid` names; every key when it names none (RFC 7515 makes `kid` optional).</summary>
    public SecurityKey[]? For(string? kid) =>
        string.IsNullOrEmpty(kid) ? All : _byKid.TryGetValue(kid, out var keys) ? keys : null;
}
