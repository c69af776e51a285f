using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fulcrum.L7.Tls;

/// <summary>
/// A self-signed ECDSA P-256 certificate for local use (`fulcrum cert self-signed`): every name goes into
/// the subject alternative names (clients ignore the common name, RFC 6125), wildcards allowed.
/// </summary>
public static class SelfSignedCertificate
{
    public static X509Certificate2 Create(IReadOnlyList<string> names, TimeSpan validity, DateTimeOffset now)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + names[0], key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var name in names)
        {
            if (System.Net.IPAddress.TryParse(name, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        // Back-date a little so a client with a slightly slow clock accepts it at once.
        return request.CreateSelfSigned(now.AddMinutes(-5), now.Add(validity));
    }

    /// <summary>Writes NAME.pem (certificate) and NAME.key (PKCS#8 private key, mode 0600) into a directory.</summary>
    public static (string CertPath, string KeyPath) WritePem(X509Certificate2 certificate, string directory, string fileName)
    {
        Directory.CreateDirectory(directory);
        var certPath = Path.Combine(directory, fileName + ".pem");
        var keyPath = Path.Combine(directory, fileName + ".key");
        File.WriteAllText(certPath, certificate.ExportCertificatePem() + "\n");
        using var key = certificate.GetECDsaPrivateKey() as AsymmetricAlgorithm ?? certificate.GetRSAPrivateKey();
        File.WriteAllText(keyPath, key!.ExportPkcs8PrivateKeyPem() + "\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(keyPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        return (certPath, keyPath);
    }
}
