using System.Net;
using Yarp.ReverseProxy.Forwarder;

namespace Fulcrum.Bench.YarpHost;

/// <summary>
/// The least a forwarder-based proxy can do per request: one terminal delegate, a round-robin
/// index, IHttpForwarder.SendAsync with one SocketsHttpHandler (as YARP's "direct forwarding"
/// doc sets it up). Comparing Fulcrum with this isolates Fulcrum's own routing, balancing and
/// transform cost; comparing this with the empty mode isolates the forwarder and the HTTP client.
/// </summary>
internal static class DirectForwarder
{
    private static int next = -1;

    public static int Run(string[] args)
    {
        var builder = Program.CreateBuilder(args);
        Program.WithoutLogging(builder);
        Program.WithSocketOptions(builder);
        builder.Services.AddHttpForwarder();
        var app = builder.Build();

        var prefixes = app.Configuration.GetSection("Backends").Get<string[]>() ?? [];
        if (prefixes.Length == 0)
        {
            Console.Error.WriteLine("yarphost direct: no Backends in the config file");
            return 2;
        }

        var invoker = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            EnableMultipleHttp2Connections = true,
            // As Fulcrum's per-pool clients: no trace headers of our own.
            ActivityHeadersPropagator = null,
            ConnectTimeout = TimeSpan.FromSeconds(15),
        });
        var forwarder = app.Services.GetRequiredService<IHttpForwarder>();
        var config = ForwarderRequestConfig.Empty;
        var transformer = HttpTransformer.Default;

        app.Run(async context =>
        {
            var index = (int)((uint)Interlocked.Increment(ref next) % (uint)prefixes.Length);
            await forwarder.SendAsync(context, prefixes[index], invoker, config, transformer);
        });
        app.Run();
        return 0;
    }
}
