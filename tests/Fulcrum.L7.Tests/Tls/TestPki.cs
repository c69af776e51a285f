using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Fulcrum.L7.Tests.Tls;

/// <summary>A throwaway CA and certificates in a temp directory, written as PEM files the way users deploy them.</summary>
internal sealed class TestPki : IDisposable
{
    public TestPki(string caName = "Fulcrum Test CA")
    {
        Directory = Path.Combine(Path.GetTempPath(), "fulcrum-pki-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + caName, key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        Ca = request.CreateSelfSigned(now.AddYears(-1), now.AddYears(5));
        CaPath = Path.Combine(Directory, "ca.pem");
        File.WriteAllText(CaPath, Ca.ExportCertificatePem() + "\n");
    }

    public string Directory { get; }
    public X509Certificate2 Ca { get; }
    public string CaPath { get; }

    /// <summary>A leaf signed by this CA, valid from notBefore for the given span (default: now, one year).</summary>
    public X509Certificate2 Issue(string[] names, DateTimeOffset? notBefore = null, TimeSpan? validity = null, bool client = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + names[0], key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (var n in names)
        {
            if (System.Net.IPAddress.TryParse(n, out var ip)) san.AddIpAddress(ip);
            else san.AddDnsName(n);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(client ? "1.3.6.1.5.5.7.3.2" : "1.3.6.1.5.5.7.3.1")], false));
        var from = notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5);
        var serial = RandomNumberGenerator.GetBytes(12);
        using var issued = request.Create(Ca, from, from + (validity ?? TimeSpan.FromDays(365)), serial);
        return issued.CopyWithPrivateKey(key);
    }

    /// <summary>Writes NAME.pem and NAME.key; returns their paths.</summary>
    public (string Cert, string Key) Write(X509Certificate2 certificate, string name)
    {
        var cert = Path.Combine(Directory, name + ".pem");
        var key = Path.Combine(Directory, name + ".key");
        File.WriteAllText(cert, certificate.ExportCertificatePem() + "\n");
        File.WriteAllText(key, certificate.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem() + "\n");
        return (cert, key);
    }

    /// <summary>Replaces a file atomically (write aside, rename over), as careful deploy tools do.</summary>
    public static void Replace(string path, string contents)
    {
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        File.WriteAllText(temp, contents);
        File.Move(temp, path, overwrite: true);
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
