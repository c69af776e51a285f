using System.Collections.Immutable;
using System.Net;
using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Tests.Support;

/// <summary>Config records built in code (the tests do not depend on the YAML parser).</summary>
public static class Configs
{
    public static FulcrumConfig Of(ListenerConfig listener, params PoolConfig[] pools) =>
        new() { Listeners = [listener], Pools = [.. pools] };

    public static ListenerConfig Web(params RouteConfig[] routes) => new()
    {
        Name = "web",
        Bind = new BindAddress(IPAddress.Loopback, 0),
        Protocol = ListenerProtocol.Http,
        Routes = [.. routes],
    };

    public static PoolConfig Pool(string name, params TestBackend[] backends) => Pool(name, "round-robin", backends);

    public static PoolConfig Pool(string name, string algorithm, params TestBackend[] backends) => new()
    {
        Name = name,
        Algorithm = algorithm,
        Backends = [.. backends.Select(b => new BackendConfig { Name = b.Name, Address = b.Address })],
    };

    public static PoolConfig Weighted(string name, string algorithm, params (TestBackend Backend, int Weight)[] backends) => new()
    {
        Name = name,
        Algorithm = algorithm,
        Backends = [.. backends.Select(b => new BackendConfig { Name = b.Backend.Name, Address = b.Backend.Address, Weight = b.Weight })],
    };

    public static RouteConfig ToPool(string pool, MatchConfig? match = null, TransformsConfig? transforms = null) => new()
    {
        Pool = pool,
        Match = match ?? MatchConfig.Any,
        Transforms = transforms ?? TransformsConfig.None,
    };

    public static RouteConfig Respond(string body, MatchConfig? match = null, int status = 200) => new()
    {
        Match = match ?? MatchConfig.Any,
        Respond = new FixedResponseConfig { Status = status, Body = body },
    };

    public static ValueMatch Value(string name, string? equals = null, string? contains = null, string? regex = null) => new()
    {
        Name = name,
        EqualTo = equals,
        Contains = contains,
        Regex = regex,
        Present = equals is null && contains is null && regex is null,
    };

    public static ImmutableArray<T> List<T>(params T[] items) => [.. items];
}
