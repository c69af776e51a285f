using Fulcrum.Core.Configuration;
using Fulcrum.Geo;
using Fulcrum.L7.Auth;
using Fulcrum.L7.Filters;
using Fulcrum.L7.Tls;
using Fulcrum.L7.Waf;

namespace Fulcrum.Hosting;

/// <summary>
/// Loads a config file the way `validate`, `run` and every reload must see it: the parser's checks, then
/// the checks that need the files a config names (certificates and keys that load, pair and are in date;
/// CA bundles; filters that exist, with settings they take; htpasswd and JWKS files that load; WAF rule sets that load; a geo database that reads). A config that would fail at the first handshake fails here, with FILE:LINE:COL.
/// </summary>
public static class ConfigFiles
{
    /// <summary>The process's one reader of geo databases: what validation opened, the topology reuses.</summary>
    public static MaxMindGeoDatabases GeoDatabases { get; } = new();

    public static ConfigLoadResult Load(string path)
    {
        var result = ConfigLoader.LoadFile(path);
        if (!result.IsValid) return result;
        var errors = TlsConfigCheck.Check(result.Config!).Concat(FilterConfigCheck.Check(result.Config!)).Concat(AuthConfigCheck.Check(result.Config!))
            .Concat(WafConfigCheck.Check(result.Config!)).Concat(GeoConfigCheck.Check(result.Config!, GeoDatabases)).ToArray();
        return errors.Length == 0 ? result : new ConfigLoadResult(null, [.. errors]);
    }
}
