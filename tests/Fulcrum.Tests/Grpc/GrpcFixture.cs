using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;
using Grpc.Net.Client;

namespace Fulcrum.Tests.Grpc;

/// <summary>`fulcrum run` with a config of the test's, gRPC clients aimed at its listeners, and its admin API.</summary>
internal sealed class GrpcFixture : IAsyncDisposable
{
    private readonly ConfigFile _file;
    private readonly List<IDisposable> _owned = [];

    private GrpcFixture(ConfigFile file, FulcrumProcess fulcrum, Uri admin)
    {
        _file = file;
        Fulcrum = fulcrum;
        Admin = new HttpClient { BaseAddress = admin, Timeout = TimeSpan.FromSeconds(30) };
        _owned.Add(Admin);
    }

    public FulcrumProcess Fulcrum { get; }
    public HttpClient Admin { get; }
    public string ConfigDirectory => _file.Directory;

    /// <summary>Starts fulcrum on <paramref name="yaml"/>; it may name files written by <paramref name="files"/> in the config's folder.</summary>
    public static async Task<GrpcFixture> StartAsync(string yaml, params (string Name, string Contents)[] files)
    {
        var file = new ConfigFile("admin: { bind: 127.0.0.1:0 }\n" + yaml);
        foreach (var (name, contents) in files) File.WriteAllText(Path.Combine(file.Directory, name), contents);
        var fulcrum = FulcrumProcess.Start("run", "-c", file.Path);
        var admin = new Uri((await fulcrum.WaitForLineAsync(new Regex(@"admin API serving on (\S+)"))).Groups[1].Value + "/");
        return new GrpcFixture(file, fulcrum, admin);
    }

    public Task<Uri> ListenerAsync(string name = "web") => Fulcrum.WaitForListenerAsync(name);

    /// <summary>A gRPC client for the h2c listener <paramref name="listener"/> (prior knowledge over http://).</summary>
    public async Task<Echo.EchoClient> ClientAsync(string listener = "web")
    {
        var channel = GrpcChannel.ForAddress(await ListenerAsync(listener), new GrpcChannelOptions
        {
            HttpHandler = new SocketsHttpHandler { UseProxy = false, EnableMultipleHttp2Connections = true },
            DisposeHttpClient = true,
        });
        _owned.Add(channel);
        return new Echo.EchoClient(channel);
    }

    /// <summary>A backend of pool <paramref name="pool"/> as the admin API shows it.</summary>
    public async Task<JsonElement> BackendAsync(string pool, string id)
    {
        using var document = JsonDocument.Parse(await Admin.GetStringAsync($"api/pools/{pool}"));
        foreach (var backend in document.RootElement.GetProperty("backends").EnumerateArray())
        {
            if (backend.GetProperty("id").GetString() == id) return backend.Clone();
        }

        throw new InvalidOperationException($"no backend {id} in {document.RootElement}");
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in _owned) owned.Dispose();
        await Fulcrum.DisposeAsync();
        _file.Dispose();
    }

    /// <summary>A client of plain HTTP/1.1, for plain requests.</summary>
    public static HttpClient PlainClient() => new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30), DefaultRequestVersion = HttpVersion.Version11 };
}
