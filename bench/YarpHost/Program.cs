namespace Fulcrum.Bench.YarpHost;

/// <summary>
/// Peers for the L7 benchmark (bench/l7/run.sh). Usage:
///   yarphost [config|direct|empty] --config FILE
/// FILE is an appsettings-style JSON that run.sh generates: Kestrel endpoint, logging level and,
/// for the config mode, YARP's ReverseProxy section.
///   config  the plain YARP host: YARP's standard config pipeline, routing, round-robin cluster.
///   direct  Kestrel plus YARP's IHttpForwarder with a hand-rolled round robin and nothing else:
///           the floor for any proxy built on the forwarder (Fulcrum's design). No logging.
///   empty   Kestrel answering 200 with a tiny body: the ceiling of the server alone. No logging.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var mode = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "config";
        var rest = mode == args.FirstOrDefault() ? args[1..] : args;
        return mode switch
        {
            "config" => StandardProxy.Run(rest),
            "direct" => DirectForwarder.Run(rest),
            "empty" => EmptyServer.Run(rest),
            _ => Usage(mode),
        };
    }

    internal static WebApplicationBuilder CreateBuilder(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var file = builder.Configuration["config"];
        if (file is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(file), optional: false, reloadOnChange: false);
        }

        return builder;
    }

    /// <summary>
    /// The baselines log nothing: with any logger enabled ASP.NET's hosting layer starts an Activity
    /// per request for log scopes, which Fulcrum (a bare KestrelServer) never pays.
    /// </summary>
    internal static void WithoutLogging(WebApplicationBuilder builder) => builder.Logging.ClearProviders();

    /// <summary>
    /// Baselines only: the socket transport's options from the "Sockets" section (or environment
    /// variables such as Sockets__UnsafePreferInlineScheduling=true), to try transport settings
    /// before proposing them for Fulcrum. Unset, Kestrel's defaults apply.
    /// </summary>
    internal static void WithSocketOptions(WebApplicationBuilder builder) =>
        builder.WebHost.UseSockets(options => builder.Configuration.GetSection("Sockets").Bind(options));

    private static int Usage(string mode)
    {
        Console.Error.WriteLine($"yarphost: unknown mode '{mode}'; use config, direct or empty, then --config FILE");
        return 2;
    }
}
