using Fulcrum.L7.Tls;

namespace Fulcrum.Demo;

/// <summary>A self-signed certificate for localhost and 127.0.0.1, made when the demo starts, in a temp directory deleted at the end.</summary>
public sealed class DemoCertificate : IDisposable
{
    private DemoCertificate(string directory, string cert, string key)
    {
        Directory = directory;
        Cert = cert;
        Key = key;
    }

    public string Directory { get; }
    public string Cert { get; }
    public string Key { get; }

    public static DemoCertificate Create()
    {
        var directory = System.IO.Directory.CreateTempSubdirectory("fulcrum-demo-").FullName;
        using var certificate = SelfSignedCertificate.Create(["localhost", "127.0.0.1"], TimeSpan.FromDays(30), DateTimeOffset.UtcNow);
        var (cert, key) = SelfSignedCertificate.WritePem(certificate, directory, "localhost");
        return new DemoCertificate(directory, cert, key);
    }

    public void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { }
    }
}
