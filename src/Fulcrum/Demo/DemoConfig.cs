using System.Collections.Immutable;
using System.Net;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Demo;

/// <summary>The config `fulcrum demo` runs: the demo backends behind one HTTP listener.</summary>
public static class DemoConfig
{
    public const string ListenerName = "web";
    public const string PoolName = "demo";

    /// <summary>
    /// Builds the demo's config for backends already listening. Returns errors (as the parser would)
    /// rather than throwing, so a broken embedded config reads like any other config mistake.
    /// </summary>
    public static ConfigLoadResult Create(IReadOnlyList<DemoBackend> backends, int port, int adminPort)
    {
        // Built as records until the YAML parser lands; then this reads the embedded demo.yaml.
        var pool = new PoolConfig
        {
            Name = PoolName,
            Algorithm = "round-robin",
            Backends = [.. backends.Select(b => new BackendConfig { Name = b.Name, Address = b.Address })],
        };
        var listener = new ListenerConfig
        {
            Name = ListenerName,
            Bind = new BindAddress(IPAddress.Loopback, port),
            Protocol = ListenerProtocol.Http,
            Routes = [new RouteConfig { Pool = PoolName }],
        };
        var config = new FulcrumConfig
        {
            SourcePath = "<demo>",
            Admin = new AdminConfig { Bind = new BindAddress(IPAddress.Loopback, adminPort) },
            Listeners = [listener],
            Pools = [pool],
        };
        return new ConfigLoadResult(config, ImmutableArray<ConfigError>.Empty);
    }
}
