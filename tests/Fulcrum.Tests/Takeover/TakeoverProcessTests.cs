using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Takeover;

/// <summary>`fulcrum run --takeover PATH` between real processes (docs/ha.md, "Zero-downtime upgrade").</summary>
public sealed class TakeoverProcessTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("fulcrum-takeover-");

    private string SocketPath => Path.Combine(_directory.FullName, "run", "takeover.sock");

    [Fact]
    public async Task TheNewProcess_TakesOverTheAdminApiAndTheRuntimeState_IntoAChangedConfig()
    {
        await using var backends = await Backends.StartAsync(4);
        var dead = $"127.0.0.1:{RefusedPort()}";
        using var file = new ConfigFile(Yaml(backends, dead, b3Weight: 1, extraListener: false));
        await using var old = FulcrumProcess.Start("run", "-c", file.Path, "--takeover", SocketPath);
        var url = await old.WaitForListenerAsync();
        using var admin = new HttpClient { BaseAddress = await AdminUrlAsync(old), Timeout = Poll.Deadline };
        using var client = TestHttp.CreateClient();

        // The operator's changes, and a backend that passive health ejected for two minutes.
        await SucceedsAsync(admin.PostAsync("api/pools/app/backends/b1/drain", null));
        await SucceedsAsync(admin.PutAsync("api/pools/app/backends/b2/weight", Json("""{"weight":5}""")));
        await SucceedsAsync(admin.PostAsync("api/pools/app/backends", Json($$"""{"address":"{{backends[3].Address}}"}""")));
        await Poll.UntilAsync(async () =>
        {
            try
            {
                using var _ = await client.GetAsync(url);
            }
            catch (HttpRequestException)
            {
                // A request that met the dead backend: that is how passive health learns.
            }

            return (await BackendAsync(admin, "dead")).GetProperty("ejected").GetBoolean();
        }, "the dead backend to be ejected");

        // A keep-alive connection to the old process, idle while the new one takes over.
        Assert.Equal(HttpStatusCode.OK, (await TestHttp.GetAsync(client, url)).Status);

        // The new config: the file now gives b3 weight 2 and adds a listener.
        using var next = new ConfigFile(Yaml(backends, dead, b3Weight: 2, extraListener: true));
        await using var successor = FulcrumProcess.Start("run", "-c", next.Path, "--takeover", SocketPath);
        await successor.WaitForLineAsync(new Regex($@"took over from pid {old.Id}: 2 of 2 listening sockets adopted"));
        // The client's idle keep-alive connection is the old process's: once that one drains, an answer on it says
        // `Connection: close`, and with that connection gone the old process has drained.
        await Poll.UntilAsync(async () =>
        {
            using var response = await client.GetAsync(url);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return response.Headers.ConnectionClose == true;
        }, "an answer that closes the connection to the old process");
        Assert.Equal(0, await old.WaitForExitAsync());

        // The same admin address, answered by the new process.
        Assert.Equal(url, await successor.WaitForListenerAsync());
        Assert.Equal("draining", (await BackendAsync(admin, "b1")).GetProperty("state").GetString());
        Assert.Equal(5, (await BackendAsync(admin, "b2")).GetProperty("weight").GetInt32());
        Assert.Equal(2, (await BackendAsync(admin, "b3")).GetProperty("weight").GetInt32());
        Assert.Equal("up", (await BackendAsync(admin, backends[3].Address)).GetProperty("state").GetString());
        var ejected = await BackendAsync(admin, "dead");
        Assert.True(ejected.GetProperty("ejected").GetBoolean());
        Assert.True(ejected.GetProperty("ejectionLeftSeconds").GetDouble() > 60, ejected.ToString());
        var extra = await successor.WaitForListenerAsync("extra");
        Assert.Equal(HttpStatusCode.OK, (await TestHttp.GetAsync(client, extra)).Status);
        var metrics = await admin.GetStringAsync("metrics");
        Assert.Contains("fulcrum_takeover_sockets{outcome=\"adopted\"} 2", metrics);
        Assert.Contains("fulcrum_takeover_backends_restored 5", metrics);
    }

    [Fact]
    public async Task ADnsListener_IsTakenOver_UdpAndTcpOnTheSamePort_AndAnswersThroughout()
    {
        using var file = new ConfigFile("""
            listeners:
              - name: gslb
                bind: 127.0.0.1:0
                protocol: dns
                records:
                  - { name: www.example.test, pool: sites }
            pools:
              - name: sites
                backends:
                  - { address: 127.0.0.2:80 }
            """);
        await using var old = FulcrumProcess.Start("run", "-c", file.Path, "--takeover", SocketPath);
        var served = await old.WaitForListenerAsync("gslb");
        var server = new IPEndPoint(IPAddress.Parse(served.Host), served.Port);
        Assert.Equal(["127.0.0.2"], (await Fulcrum.Tests.Gslb.Dig.QueryAsync(server, "www.example.test", "A")).AnswerData);

        await using var successor = FulcrumProcess.Start("run", "-c", file.Path, "--takeover", SocketPath);
        await successor.WaitForLineAsync(new Regex($@"took over from pid {old.Id}: 2 of 2 listening sockets adopted"));
        Assert.Equal(0, await old.WaitForExitAsync());

        // The old process is gone: the same port answers, over udp and over tcp, from the new one.
        Assert.Equal(served, await successor.WaitForListenerAsync("gslb"));
        Assert.Equal(["127.0.0.2"], (await Fulcrum.Tests.Gslb.Dig.QueryAsync(server, "www.example.test", "A")).AnswerData);
        Assert.Equal(["127.0.0.2"], (await Fulcrum.Tests.Gslb.Dig.QueryAsync(server, "www.example.test", "A", "+tcp")).AnswerData);
    }

    [Fact]
    public async Task ANewProcessThatCannotStart_LeavesTheOldOneServing_AndALaterOneTakesOver()
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile(Yaml(backends, dead: null, b3Weight: 1, extraListener: false));
        await using var old = FulcrumProcess.Start("run", "-c", file.Path, "--takeover", SocketPath);
        var url = await old.WaitForListenerAsync();
        var failures = new ConcurrentQueue<string>();
        using var stop = new CancellationTokenSource();
        var served = 0;
        var traffic = Task.Run(async () =>
        {
            using var client = TestHttp.CreateClient();
            for (var n = 0; n < 100_000 && !stop.IsCancellationRequested; n++)
            {
                try
                {
                    var (status, body) = await TestHttp.GetAsync(client, url);
                    if (status == HttpStatusCode.OK && body == "b1") Interlocked.Increment(ref served);
                    else failures.Enqueue($"{(int)status} {body}");
                }
                catch (HttpRequestException e)
                {
                    failures.Enqueue(e.Message);
                }

                await Task.Delay(10);
            }
        });

        // A config with a mistake: refused before anything is asked of the running process.
        using var broken = new ConfigFile(Yaml(backends, dead: null, b3Weight: 1, extraListener: false).Replace("round-robin", "round-robbin", StringComparison.Ordinal));
        var (code, _) = await FulcrumProcess.RunToEndAsync("run", "-c", broken.Path, "--takeover", SocketPath);
        Assert.Equal(2, code);

        // A listener whose port is taken: the new process gives up before it accepts anything.
        using var holder = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        holder.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        holder.Listen(1);
        var taken = ((IPEndPoint)holder.LocalEndPoint!).Port;
        using var clash = new ConfigFile(Yaml(backends, dead: null, b3Weight: 1, extraListener: false, extraTcpPort: taken));
        await using (var failing = FulcrumProcess.Start("run", "-c", clash.Path, "--takeover", SocketPath))
        {
            Assert.Equal(1, await failing.WaitForExitAsync());
            await failing.WaitForLineAsync(new Regex($@"cannot start: listener taken cannot bind 127\.0\.0\.1:{taken}"));
            await old.WaitForLineAsync(new Regex($@"takeover by pid {failing.Id} abandoned"));
        }

        var before = Volatile.Read(ref served);
        await Poll.UntilAsync(() => Volatile.Read(ref served) > before + 20, "the old process to go on serving");

        using var good = new ConfigFile(Yaml(backends, dead: null, b3Weight: 1, extraListener: true));
        await using var successor = FulcrumProcess.Start("run", "-c", good.Path, "--takeover", SocketPath);
        await successor.WaitForLineAsync(new Regex($@"took over from pid {old.Id}"));
        Assert.Equal(0, await old.WaitForExitAsync());
        before = Volatile.Read(ref served);
        await Poll.UntilAsync(() => Volatile.Read(ref served) > before + 20, "the new process to serve");
        await stop.CancelAsync();
        await traffic;

        Assert.True(failures.IsEmpty, $"{failures.Count} requests failed, first: {string.Join("; ", failures.Take(5))}");
    }

    [Fact]
    public async Task WithNothingToTakeOver_ItBindsItsOwnSockets_AndServesTheTakeoverSocketToItsUserOnly()
    {
        await using var backends = await Backends.StartAsync(1);
        using var file = new ConfigFile(Yaml(backends, dead: null, b3Weight: 1, extraListener: false));
        await using var fulcrum = FulcrumProcess.Start("run", "-c", file.Path, "--takeover", SocketPath);
        var url = await fulcrum.WaitForListenerAsync();
        await fulcrum.WaitForLineAsync(new Regex(@"no process serves it; binding afresh"));
        await fulcrum.WaitForLineAsync(new Regex(@"takeover socket \S+: serving"));

        using var client = TestHttp.CreateClient();
        Assert.Equal((HttpStatusCode.OK, "b1"), await TestHttp.GetAsync(client, url));
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(SocketPath));
        fulcrum.Signal(Posix.SIGTERM);
        Assert.Equal(0, await fulcrum.WaitForExitAsync());
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static string Yaml(Backends backends, string? dead, int b3Weight, bool extraListener, int? extraTcpPort = null)
    {
        var yaml = new StringBuilder("""
            admin:
              bind: 127.0.0.1:0
            listeners:
              - name: web
                bind: 127.0.0.1:0
                protocol: http
                routes: [ { pool: app } ]

            """);
        if (extraListener) yaml.Append("  - { name: extra, bind: 127.0.0.1:0, protocol: http, routes: [ { pool: app } ] }\n");
        if (extraTcpPort is { } port) yaml.Append($"  - {{ name: taken, bind: 127.0.0.1:{port}, protocol: tcp, pool: app }}\n");
        yaml.Append("""
            pools:
              - name: app
                algorithm: round-robin
                health:
                  passive: { consecutive-failures: 1, eject-for: 2m }
                backends:

            """);
        yaml.Append($"      - {{ name: b1, address: {backends[0].Address} }}\n");
        if (backends.All.Length > 1)
        {
            yaml.Append($"      - {{ name: b2, address: {backends[1].Address} }}\n");
            yaml.Append($"      - {{ name: b3, address: {backends[2].Address}, weight: {b3Weight} }}\n");
        }

        if (dead is not null) yaml.Append($"      - {{ name: dead, address: {dead} }}\n");
        return yaml.ToString();
    }

    private static async Task<Uri> AdminUrlAsync(FulcrumProcess fulcrum) =>
        new((await fulcrum.WaitForLineAsync(new Regex(@"admin API serving on (\S+)"))).Groups[1].Value + "/");

    private static async Task<JsonElement> BackendAsync(HttpClient admin, string id)
    {
        using var pool = JsonDocument.Parse(await admin.GetStringAsync("api/pools/app"));
        foreach (var backend in pool.RootElement.GetProperty("backends").EnumerateArray())
        {
            if (backend.GetProperty("id").GetString() == id) return backend.Clone();
        }

        throw new InvalidOperationException($"no backend {id} in {pool.RootElement}");
    }

    private static async Task SucceedsAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    // A port nothing listens on: bound by the OS, then released.
    private static int RefusedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }
}
