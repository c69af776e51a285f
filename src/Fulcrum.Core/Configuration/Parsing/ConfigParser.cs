using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>The top level of the file. A new top-level section is one more `.Key(...)` here.</summary>
internal static class ConfigParser
{
    /// <summary>`io-engine:` words (docs/l4.md, "I/O engine").</summary>
    public static readonly NameTable<IoEngineChoice> IoEngines = new(
        ("auto", IoEngineChoice.Auto),
        ("io_uring", IoEngineChoice.IoUring),
        ("epoll", IoEngineChoice.Epoll));

    private static readonly MappingSchema<FulcrumConfig> Schema = new MappingSchema<FulcrumConfig>("the config file")
        .IgnoreKeysStartingWith("x-")
        .Key("admin", (c, n, x) => c with { Admin = AdminParser.Read(n, x) })
        .Key("listeners", (c, n, x) => c with { Listeners = YamlReader.List(n, "listeners", x, ListenerParser.Read) })
        .Key("access-log", (c, n, x) => c with { AccessLog = AccessLogParser.Read(n, x) })
        .Key("tracing", (c, n, x) => c with { Tracing = TracingParser.Read(n, x) })
        .Key("cluster", (c, n, x) => c with { Cluster = ClusterParser.Read(n, x) })
        .Key("pools", (c, n, x) => c with { Pools = YamlReader.List(n, "pools", x, PoolParser.Read) })
        .Key("shutdown", (c, n, x) => c with { Shutdown = ShutdownParser.Read(n, x) })
        .Key("vrrp", (c, n, x) => c with { Vrrp = VrrpParser.Read(n, x) })
        .Key("geo", (c, n, x) => c with { Geo = GeoParser.Read(n, x) })
        .Key("io-engine", (c, n, x) => YamlReader.Enum(n, "io-engine", x, IoEngines) is { } e ? c with { IoEngine = e } : c);

    public static FulcrumConfig Read(YamlNode root, ParseContext context) =>
        Schema.Read(root, new FulcrumConfig { SourcePath = context.File }, context);
}
