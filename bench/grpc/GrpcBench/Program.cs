using System.Diagnostics;
using System.Globalization;
using System.Net;
using Fulcrum.Tests.Grpc;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

// grpcbench server [PORT]      h2c gRPC backend on 127.0.0.1; prints "listening on PORT"
// grpcbench client URL SECONDS WARMUP CONCURRENCY CONNECTIONS
//                               unary calls in CONCURRENCY loops over CONNECTIONS channels; warms up, then measures
//                               SECONDS; prints "calls N rps R p50 A p99 B errors E"
return args.FirstOrDefault() switch
{
    "server" => await ServeAsync(args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 0),
    "client" when args.Length == 6 => await LoadAsync(new Uri(args[1]), Int(args[2]), Int(args[3]), Int(args[4]), Int(args[5])),
    _ => Usage(),
};

static int Int(string text) => int.Parse(text, CultureInfo.InvariantCulture);

static int Usage()
{
    Console.Error.WriteLine("usage: grpcbench server [PORT] | grpcbench client URL SECONDS WARMUP CONCURRENCY CONNECTIONS");
    return 2;
}

static async Task<int> ServeAsync(int port)
{
    var builder = WebApplication.CreateSlimBuilder();
    builder.Logging.ClearProviders();
    builder.Services.AddGrpc();
    builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, l => l.Protocols = HttpProtocols.Http2));
    var app = builder.Build();
    app.MapGrpcService<EchoService>();
    await app.StartAsync();
    var url = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    Console.WriteLine($"listening on {new Uri(url).Port}");
    await app.WaitForShutdownAsync();
    return 0;
}

static async Task<int> LoadAsync(Uri url, int seconds, int warmup, int concurrency, int connections)
{
    var channels = Enumerable.Range(0, connections).Select(_ => GrpcChannel.ForAddress(url, new GrpcChannelOptions
    {
        HttpHandler = new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = false },
    })).ToArray();
    var request = new EchoRequest { Text = "ping" };
    var latencies = new List<long>[concurrency];
    long errors = 0;
    var measuring = 0;
    // Bounded: every loop stops at the end of the warm-up plus the measured time, whatever the server does.
    using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(warmup + seconds));
    var clock = new Stopwatch();
    var loops = Enumerable.Range(0, concurrency).Select(i => Task.Run(async () =>
    {
        var client = new Echo.EchoClient(channels[i % channels.Length]);
        var mine = latencies[i] = new List<long>(1 << 16);
        while (!stop.IsCancellationRequested)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                await client.UnaryAsync(request, cancellationToken: stop.Token);
            }
            catch (RpcException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (RpcException)
            {
                Interlocked.Increment(ref errors);
                continue;
            }

            if (Volatile.Read(ref measuring) == 1) mine.Add(Stopwatch.GetTimestamp() - start);
        }
    })).ToArray();

    await Task.Delay(TimeSpan.FromSeconds(warmup));
    Interlocked.Exchange(ref errors, 0);
    Volatile.Write(ref measuring, 1);
    clock.Start();
    await Task.WhenAll(loops);
    clock.Stop();
    var all = latencies.SelectMany(l => l).Order().ToArray();
    double Ms(double q) => all.Length == 0 ? 0 : all[(int)Math.Min(all.Length - 1, q * all.Length)] * 1000.0 / Stopwatch.Frequency;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"calls {all.Length} rps {all.Length / clock.Elapsed.TotalSeconds:0} p50 {Ms(0.5):0.000} p99 {Ms(0.99):0.000} errors {errors}"));
    foreach (var channel in channels) channel.Dispose();
    return 0;
}

internal sealed class EchoService : Echo.EchoBase
{
    public override Task<EchoReply> Unary(EchoRequest request, ServerCallContext context) =>
        Task.FromResult(new EchoReply { Text = request.Text, Backend = "bench" });
}
