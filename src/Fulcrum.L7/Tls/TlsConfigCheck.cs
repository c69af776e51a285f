using Fulcrum.Core.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace Fulcrum.L7.Tls;

/// <summary>
/// The file checks `fulcrum validate` and `run` add to the parser's: every https listener's certificates
/// load, pair with their keys and are in date, cipher names exist, and CA bundles read. Paths are relative
/// to the config file's directory.
/// </summary>
public static class TlsConfigCheck
{
    public static IReadOnlyList<ConfigError> Check(FulcrumConfig config, TimeProvider? time = null)
    {
        var errors = new List<ConfigError>();
        var baseDirectory = BaseDirectoryOf(config);
        foreach (var listener in config.Listeners)
        {
            if (listener.Protocol != ListenerProtocol.Https) continue;
            ListenerTls.Create(listener, baseDirectory, time ?? TimeProvider.System, NullLogger.Instance, errors)?.Dispose();
        }

        foreach (var pool in config.Pools)
        {
            if (pool.Tls?.Ca is { } ca) ListenerTls.LoadCaBundle(ca, baseDirectory, pool.Tls.Location, errors);
        }

        return errors;
    }

    public static string BaseDirectoryOf(FulcrumConfig config) =>
        Path.GetDirectoryName(Path.GetFullPath(config.SourcePath)) ?? Directory.GetCurrentDirectory();
}
