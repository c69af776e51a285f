using YamlDotNet.RepresentationModel;

namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>The top level of the file. A new top-level section is one more `.Key(...)` here.</summary>
internal static class ConfigParser
{
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
        .Key("geo", (c, n, x) => c with { Geo = GeoParser.Read(n, x) });

    public static FulcrumConfig Read(YamlNode root, ParseContext context) =>
        Schema.Read(root, new FulcrumConfig { SourcePath = context.File }, context);
}
