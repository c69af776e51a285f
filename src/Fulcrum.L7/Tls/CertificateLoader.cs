using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Tls;

/// <summary>
/// Reads a PEM certificate (leaf first, then any chain), its PEM key and an optional chain file, and checks
/// at load time what would otherwise fail at the first handshake: missing files, a key that does not match,
/// a certificate that has expired or is not valid yet. Problems are config errors at the certificate entry.
/// </summary>
public static class CertificateLoader
{
    public static TlsCertificate? Load(CertificateConfig config, string baseDirectory, TimeProvider time, List<ConfigError> errors)
    {
        var certPath = Resolve(baseDirectory, config.Cert);
        var keyPath = Resolve(baseDirectory, config.Key);
        var chainPath = config.Chain is null ? null : Resolve(baseDirectory, config.Chain);
        foreach (var (key, path) in new[] { ("cert", certPath), ("key", keyPath), ("chain", chainPath) })
        {
            if (path is not null && !File.Exists(path))
            {
                errors.Add(new ConfigError(config.Location, $"tls {key} file not found: {path}"));
                return null;
            }
        }

        X509Certificate2 leaf;
        var chain = new X509Certificate2Collection();
        try
        {
            var all = new X509Certificate2Collection();
            all.ImportFromPemFile(certPath);
            if (all.Count == 0)
            {
                errors.Add(new ConfigError(config.Location, $"no PEM certificate in {certPath}"));
                return null;
            }

            // CreateFromPemFile pairs the first certificate with the key and throws when they do not match.
            leaf = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            for (var i = 1; i < all.Count; i++) chain.Add(all[i]);
            if (chainPath is not null) chain.ImportFromPemFile(chainPath);
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            errors.Add(new ConfigError(config.Location, $"certificate {certPath} and key {keyPath} do not load as a pair: {e.Message}"));
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.Add(new ConfigError(config.Location, $"cannot read certificate {certPath} or key {keyPath}: {e.Message}"));
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (leaf.NotAfter.ToUniversalTime() < now)
        {
            errors.Add(new ConfigError(config.Location, $"certificate {certPath} expired on {leaf.NotAfter.ToUniversalTime():u}"));
            return null;
        }

        if (leaf.NotBefore.ToUniversalTime() > now)
        {
            errors.Add(new ConfigError(config.Location, $"certificate {certPath} is not valid before {leaf.NotBefore.ToUniversalTime():u}"));
            return null;
        }

        var names = NamesOf(leaf);
        if (names.IsEmpty)
        {
            errors.Add(new ConfigError(config.Location, $"certificate {certPath} has no DNS name (no subject alternative name, no common name)"));
            return null;
        }

        return new TlsCertificate(config, leaf, chain, names);
    }

    /// <summary>A relative path is relative to the config file's directory.</summary>
    public static string Resolve(string baseDirectory, string path) =>
        Path.IsPathRooted(path) ? path : Path.GetFullPath(Path.Combine(baseDirectory, path));

    /// <summary>The DNS names of the SAN extension; the common name only when there is no SAN (RFC 6125 section 6.4.4).</summary>
    public static ImmutableArray<string> NamesOf(X509Certificate2 certificate)
    {
        var names = ImmutableArray.CreateBuilder<string>();
        foreach (var extension in certificate.Extensions)
        {
            if (extension is X509SubjectAlternativeNameExtension san)
            {
                foreach (var dns in san.EnumerateDnsNames()) names.Add(dns.ToLowerInvariant());
            }
        }

        if (names.Count == 0)
        {
            var cn = certificate.GetNameInfo(X509NameType.DnsName, forIssuer: false);
            if (!string.IsNullOrEmpty(cn)) names.Add(cn.ToLowerInvariant());
        }

        return names.ToImmutable();
    }
}
