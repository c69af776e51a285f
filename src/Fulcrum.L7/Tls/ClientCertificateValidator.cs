using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Tls;

/// <summary>
/// Mutual TLS: a client certificate must chain to one of the configured CAs (and only those, not the
/// system store). `optional` lets clients without a certificate in, never ones with a bad certificate.
/// </summary>
public sealed class ClientCertificateValidator
{
    private readonly X509Certificate2Collection _roots;
    private readonly ClientCertificateMode _mode;

    public ClientCertificateValidator(ClientCertificateConfig config, X509Certificate2Collection roots)
    {
        Config = config;
        _roots = roots;
        _mode = config.Mode;
    }

    public ClientCertificateConfig Config { get; }

    public bool Validate(object sender, X509Certificate? certificate, X509Chain? presented, SslPolicyErrors errors)
    {
        if (certificate is null) return _mode == ClientCertificateMode.Optional;
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(_roots);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements) chain.ChainPolicy.ExtraStore.Add(element.Certificate);
        }

        var leaf = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        return chain.Build(leaf);
    }
}
