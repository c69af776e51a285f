namespace Fulcrum.Bench.YarpHost;

/// <summary>
/// YARP as its docs set it up: routes and clusters from configuration, MapReverseProxy's
/// endpoint routing and middleware pipeline, the cluster's LoadBalancingPolicy picking.
/// Nothing tuned beyond the logging level, which matches Fulcrum's (Warning).
/// </summary>
internal static class StandardProxy
{
    public static int Run(string[] args)
    {
        var builder = Program.CreateBuilder(args);
        builder.Services.AddReverseProxy().LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));
        var app = builder.Build();
        app.MapReverseProxy();
        app.Run();
        return 0;
    }
}
