using System.Globalization;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Demo;

/// <summary>
/// The config `fulcrum demo` runs: demo.yaml, embedded in this assembly, with the real ports filled
/// in. It goes through the same parser as any file, so the demo shows what a config looks like and
/// proves the parser on every run.
/// </summary>
public static class DemoConfig
{
    public const string ListenerName = "web";
    public const string HttpsListenerName = "secure";
    public const string PoolName = "demo";
    public const string ResourceName = "Fulcrum.Demo.demo.yaml";

    /// <summary>The embedded file as shipped, ${...} placeholders and all.</summary>
    public static string Template()
    {
        using var stream = typeof(DemoConfig).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"resource {ResourceName} is missing from the build");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Builds the demo's config for backends already listening (as many as the file names: three).
    /// Errors come back as values, as for any config file; with the shipped file there are none.
    /// </summary>
    public static ConfigLoadResult Create(IReadOnlyList<DemoBackend> backends, int port, int adminPort, DemoCertificate certificate, int httpsPort = 0)
    {
        var yaml = Template()
            .Replace("${HTTPS_PORT}", httpsPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("${CERT}", certificate.Cert, StringComparison.Ordinal)
            .Replace("${KEY}", certificate.Key, StringComparison.Ordinal)
            .Replace("${PORT}", port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
            .Replace("${ADMIN_PORT}", adminPort.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        for (var i = 0; i < backends.Count; i++)
        {
            yaml = yaml.Replace($"${{DEMO_{i + 1}_PORT}}", backends[i].Port.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
        }

        return ConfigLoader.LoadText(yaml, "<demo>");
    }
}
