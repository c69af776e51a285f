using System.Collections.Frozen;
using System.Collections.Immutable;

namespace Fulcrum.L7.Tls;

/// <summary>
/// One listener's certificates indexed by name, immutable. SNI picks: an exact name first, then a
/// wildcard `*.example.com` for exactly one label in front of example.com (RFC 6125 section 6.4.3),
/// then the default. The first certificate to claim a name wins, so the order in the config decides ties.
/// </summary>
public sealed class CertificateSet
{
    private readonly FrozenDictionary<string, TlsCertificate> _exact;
    private readonly FrozenDictionary<string, TlsCertificate> _wildcard;
    private readonly FrozenDictionary<string, TlsCertificate>.AlternateLookup<ReadOnlySpan<char>> _exactSpan;
    private readonly FrozenDictionary<string, TlsCertificate>.AlternateLookup<ReadOnlySpan<char>> _wildcardSpan;

    public CertificateSet(ImmutableArray<TlsCertificate> certificates)
    {
        Certificates = certificates;
        Default = certificates.FirstOrDefault(c => c.Config.Default) ?? certificates[0];
        var exact = new Dictionary<string, TlsCertificate>(StringComparer.OrdinalIgnoreCase);
        var wildcard = new Dictionary<string, TlsCertificate>(StringComparer.OrdinalIgnoreCase);
        foreach (var certificate in certificates)
        {
            foreach (var name in certificate.Names)
            {
                if (name.StartsWith("*.", StringComparison.Ordinal)) wildcard.TryAdd(name[2..], certificate);
                else exact.TryAdd(name, certificate);
            }
        }

        _exact = exact.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _wildcard = wildcard.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);
        _exactSpan = _exact.GetAlternateLookup<ReadOnlySpan<char>>();
        _wildcardSpan = _wildcard.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public ImmutableArray<TlsCertificate> Certificates { get; }
    public TlsCertificate Default { get; }

    /// <summary>Runs once per handshake: span lookups, no allocation.</summary>
    public TlsCertificate Select(string? serverName)
    {
        if (string.IsNullOrEmpty(serverName)) return Default;
        var name = serverName.AsSpan().TrimEnd('.');
        if (_exactSpan.TryGetValue(name, out var certificate)) return certificate;
        var dot = name.IndexOf('.');
        if (dot > 0 && _wildcardSpan.TryGetValue(name[(dot + 1)..], out certificate)) return certificate;
        return Default;
    }
}
