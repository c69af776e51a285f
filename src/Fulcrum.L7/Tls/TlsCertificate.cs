using System.Collections.Immutable;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Tls;

/// <summary>A loaded, validated certificate with its private key and chain, ready for handshakes.</summary>
public sealed class TlsCertificate
{
    public TlsCertificate(CertificateConfig config, X509Certificate2 leaf, X509Certificate2Collection chain, ImmutableArray<string> names)
    {
        Config = config;
        Leaf = leaf;
        Names = names;
        // Built once: the context holds the chain so every handshake sends it without building it again.
        Context = SslStreamCertificateContext.Create(leaf, chain, offline: true);
    }

    public CertificateConfig Config { get; }
    public X509Certificate2 Leaf { get; }
    /// <summary>DNS names from the subject alternative names (or the common name when there are none), lower case; may hold `*.` wildcards.</summary>
    public ImmutableArray<string> Names { get; }
    public SslStreamCertificateContext Context { get; }

    public override string ToString() => $"{Leaf.Subject} [{string.Join(", ", Names)}] until {Leaf.NotAfter:u} ({Leaf.Thumbprint})";
}
