using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Fulcrum.L7.Tls;

namespace Fulcrum.Bench.Soak;

/// <summary>
/// The https listener's certificate and key files, rewritten in place with a fresh self-signed certificate on each
/// rotation, the way tls.md tells operators to: each file written beside its target and renamed over it (atomic),
/// the key first. The https clients accept exactly the certificates written here, and count which ones they saw.
/// </summary>
public sealed class CertificateFiles
{
    private readonly ConcurrentDictionary<string, int> _written = new();
    private readonly ConcurrentDictionary<string, byte> _seen = new();
    private readonly string _staging;

    public CertificateFiles(string directory)
    {
        Directory.CreateDirectory(directory);
        CertPath = Path.Combine(directory, "soak.pem");
        KeyPath = Path.Combine(directory, "soak.key");
        _staging = Path.Combine(directory, "staging");
    }

    public string CertPath { get; }
    public string KeyPath { get; }

    /// <summary>Certificates written so far, the first included.</summary>
    public int Written => _written.Count;

    /// <summary>Of those, how many a client was served in a handshake.</summary>
    public int Seen => _seen.Count;

    public void Rotate()
    {
        using var certificate = SelfSignedCertificate.Create(["localhost", "127.0.0.1"], TimeSpan.FromDays(2), DateTimeOffset.UtcNow);
        _written.TryAdd(certificate.Thumbprint, _written.Count + 1);
        var (cert, key) = SelfSignedCertificate.WritePem(certificate, _staging, "next");
        File.Move(key, KeyPath, overwrite: true);
        File.Move(cert, CertPath, overwrite: true);
    }

    /// <summary>For the clients' RemoteCertificateValidationCallback: only a certificate this soak wrote is good.</summary>
    public bool Accept(X509Certificate? certificate)
    {
        if (certificate is null) return false;
        var thumbprint = certificate.GetCertHashString();
        if (!_written.ContainsKey(thumbprint)) return false;
        _seen.TryAdd(thumbprint, 0);
        return true;
    }
}
