using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fulcrum.Bench.Ha.Lab;

namespace Fulcrum.Bench.Ha;

/// <summary>
/// Active-passive Fulcrum in network namespaces: a client, node a (priority 150, the master), node b (100) and nginx
/// backends on one bridge; the client loads the virtual IP all along. Each fault method injects one fault into the
/// master and times, at the client, how long until node b answered; each restore method brings node a back and
/// reports what the virtual IP did. docs/ha.md ("The lab") and bench/ha/run.sh.
/// </summary>
public sealed class HaLab : IAsyncDisposable
{
    public const string Vip = "10.231.0.100";
    public const int Port = 8080;
    private const int SteadyRequests = 50;
    private const int WarmUpRequests = 200;
    private static readonly TimeSpan FaultTimeout = TimeSpan.FromSeconds(15);

    private readonly HaLabOptions _options;
    private readonly Action<string> _progress;
    private readonly NetworkLab _network;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private LabProcess? _backends;
    private NetnsSockets? _clientSockets;

    private HaLab(HaLabOptions options, Action<string> progress, NetworkLab network)
    {
        _options = options;
        _progress = progress;
        _network = network;
        A = new HaNode("a", 150, network["a"], options.FulcrumDll, options.Directory, _clock);
        B = new HaNode("b", 100, network["b"], options.FulcrumDll, options.Directory, _clock);
    }

    /// <summary>The master while it serves: the higher priority.</summary>
    public HaNode A { get; }

    /// <summary>The backup.</summary>
    public HaNode B { get; }

    public NetworkLab Network => _network;

    public VipClient? Client { get; private set; }

    public TimeSpan Now => _clock.Elapsed;

    /// <summary>Builds the lab and waits until node a holds the virtual IP and answers the client.</summary>
    public static async Task<HaLab> StartAsync(HaLabOptions options, Action<string> progress)
    {
        Directory.CreateDirectory(options.Directory);
        var network = NetworkLab.Create(("cl", 10), ("a", 11), ("b", 12), ("sv", 20));
        var lab = new HaLab(options, progress, network);
        try
        {
            await lab.BuildAsync();
            return lab;
        }
        catch
        {
            await lab.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGKILL to the master's fulcrum: keepalived's track_process sees the process end.</summary>
    public Task<FailoverResult> KillAsync() => FaultAsync("kill", () => A.Fulcrum!.Signal(Posix.SIGKILL), waitForExit: false);

    /// <summary>The master's port on the bridge goes down: no more adverts reach node b, which takes over after the master-down timer.</summary>
    public Task<FailoverResult> CutLinkAsync() => FaultAsync("link-cut", () => _network.CutLink("a"), waitForExit: false);

    /// <summary>SIGTERM to the master's fulcrum: it yields at once and keeps accepting for the accept grace, then drains and exits.</summary>
    public Task<FailoverResult> SwitchoverAsync() => FaultAsync("switchover", () => A.Fulcrum!.Signal(Posix.SIGTERM), waitForExit: true);

    /// <summary>
    /// The one connection a planned switchover can lose, made on purpose: its handshake and the first bytes of its request
    /// reach node a, the master; then node a is stopped (SIGTERM), and once node b holds the virtual IP and has answered
    /// the client, the rest of the request goes out, to node b by the clients' new ARP entry. Returns the status line and
    /// the X-Node header of the answer, or the error the connection ended with.
    /// </summary>
    public async Task<string> StraddlingConnectionAsync()
    {
        var host = $"Host: {Vip}:{Port}\r\n";
        using var socket = await _clientSockets!.CreateTcpAsync();
        await socket.ConnectAsync(System.Net.IPAddress.Parse(Vip), Port);
        await socket.SendAsync(Encoding.ASCII.GetBytes("GET /straddle HTTP/1.1\r\n"));
        var t0 = Now;
        A.Fulcrum!.Signal(Posix.SIGTERM);
        if (await Client!.WaitForSuccessAsync("b", t0, FaultTimeout) is null)
            throw new TimeoutException($"node b never answered after node a was stopped:\n{Logs()}");
        _progress(string.Create(CultureInfo.InvariantCulture, $"straddle: node b answered {(Now - t0).TotalMilliseconds:F0} ms after the SIGTERM; the request goes on"));
        try
        {
            await socket.SendAsync(Encoding.ASCII.GetBytes(host + "Connection: close\r\n\r\n"));
            var answer = new StringBuilder();
            var buffer = new byte[4096];
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            int read;
            while ((read = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, timeout.Token)) > 0)
                answer.Append(Encoding.ASCII.GetString(buffer, 0, read));
            var lines = answer.ToString().Split("\r\n");
            var node = lines.FirstOrDefault(l => l.StartsWith("X-Node:", StringComparison.OrdinalIgnoreCase)) ?? "no X-Node header";
            return $"{lines[0]}; {node}";
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or OperationCanceledException)
        {
            return $"error: {e.Message}";
        }
    }

    /// <summary>
    /// Brings node a back (its fulcrum restarted, or its link restored) and reports what the virtual IP does: with
    /// preemption it returns to a (timed, with the requests that failed meanwhile); without, b keeps it while a waits
    /// as backup, watched for <paramref name="watchWithoutPreempt"/>.
    /// </summary>
    public async Task<string> RestoreAsync(string scenario, TimeSpan? watchWithoutPreempt = null)
    {
        var start = Now;
        if (scenario == "link-cut") _network.RestoreLink("a");
        else await A.StartFulcrumAsync(_options.StartTimeout);
        var restored = Now;
        if (_options.Preempt)
        {
            var back = await Client!.WaitForSuccessAsync("a", restored, FaultTimeout)
                ?? throw new TimeoutException($"node a never answered again after the {scenario} was undone:\n{Logs()}");
            await Client.WaitForSteadyAsync(back.End, SteadyRequests, FaultTimeout);
            var failed = Failures(start, Now);
            return string.Create(CultureInfo.InvariantCulture,
                $"node a answered again {(back.End - restored).TotalMilliseconds:F0} ms after it was back; {failed.Count} requests failed meanwhile{Summary(failed)}");
        }

        await A.WaitForKeepalivedStateAsync("BACKUP", start, FaultTimeout);
        var watched = Now;
        var watch = watchWithoutPreempt ?? TimeSpan.FromSeconds(1);
        while (Now - watched < watch)
        {
            if (A.HasVip(Vip)) return "node a took the virtual IP back although preemption is off";
            await Task.Delay(50);
        }

        var servedByA = Client!.Records.Count(r => r.Ok && r.Node == "a" && r.End > restored);
        return string.Create(CultureInfo.InvariantCulture,
            $"node a is backup again; node b kept the virtual IP for the {watch.TotalSeconds:F1} s watched ({watch / _options.AdvertInterval:F0} adverts), {servedByA} requests answered by a");
    }

    /// <summary>The client's failed requests that ended between <paramref name="from"/> and <paramref name="to"/>.</summary>
    public List<RequestRecord> Failures(TimeSpan from, TimeSpan to) =>
        [.. Client!.Records.Where(r => !r.Ok && r.End >= from && r.End <= to)];

    /// <summary>The tail of every process's log, for a failure's message.</summary>
    public string Logs()
    {
        var text = new StringBuilder();
        foreach (var process in new[] { A.Fulcrum, A.Keepalived, B.Fulcrum, B.Keepalived })
        {
            if (process is null) continue;
            text.Append("--- ").Append(process.Name).Append('\n').Append(process.Tail(25)).Append('\n');
        }

        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (Client is not null) await Client.DisposeAsync();
        _clientSockets?.Dispose();
        A.Dispose();
        B.Dispose();
        _backends?.Dispose();
        _network.Dispose();
    }

    private async Task BuildAsync()
    {
        _progress($"lab {_network.Id}: namespaces on a bridge; configs and logs in {_options.Directory}");
        if (_options.LoopbackVip)
        {
            // The virtual IP sits on every node's loopback: only the interface that holds it may answer ARP for it.
            foreach (var node in new[] { A, B })
                Command.Run("ip", "netns", "exec", node.Member.Namespace, "sysctl", "-qw", "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2");
        }

        _backends = await LabBackends.StartAsync(_network["sv"], _options.Directory, _clock, _options.StartTimeout);
        foreach (var node in new[] { A, B }) File.WriteAllText(node.ConfigPath, NodeConfig(node));
        await Task.WhenAll(A.StartFulcrumAsync(_options.StartTimeout), B.StartFulcrumAsync(_options.StartTimeout));
        A.StartKeepalived(secondChance: _options.SecondChance && _options.LoopbackVip);
        B.StartKeepalived(secondChance: _options.SecondChance && _options.LoopbackVip);
        var waiting = Stopwatch.StartNew();
        while (!A.HasVip(Vip))
        {
            if (waiting.Elapsed > _options.StartTimeout) throw new TimeoutException($"node a never held {Vip}:\n{Logs()}");
            await Task.Delay(20);
        }

        _clientSockets = new NetnsSockets(_network["cl"].Namespace);
        await WarmUpAsync(_clientSockets);
        Client = new VipClient(_clientSockets, new Uri($"http://{Vip}:{Port}/"), _clock, _options.Workers, _options.RequestTimeout, _options.Pause);
        Client.Start();
        if (await Client.WaitForSuccessAsync("a", TimeSpan.Zero, _options.StartTimeout) is null)
            throw new TimeoutException($"the client never got an answer from node a:\n{Logs()}");
        _progress($"lab {_network.Id}: node a holds {Vip} and answers");
    }

    /// <summary>
    /// Requests to each node's own address first, so the backup's request path is compiled (JIT) before it takes over,
    /// as its earlier turns as master would have done; measured, a never-used backup's first answers take hundreds of
    /// milliseconds on a busy machine, which would time the JIT rather than the failover.
    /// </summary>
    private async Task WarmUpAsync(NetnsSockets sockets)
    {
        using var http = sockets.CreateHttpClient(TimeSpan.FromSeconds(10));
        foreach (var node in new[] { A, B })
        {
            for (var i = 0; i < WarmUpRequests; i++)
            {
                using var response = await http.GetAsync(new Uri($"http://{node.Member.Address}:{Port}/"));
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"node {node.Name} answered {(int)response.StatusCode} while warming up:\n{Logs()}");
            }
        }
    }

    private async Task<FailoverResult> FaultAsync(string scenario, Action fault, bool waitForExit)
    {
        var client = Client!;
        var fromA = await client.WaitForSuccessAsync("a", Now - TimeSpan.FromSeconds(1), FaultTimeout);
        if (fromA is null || !A.HasVip(Vip)) throw new InvalidOperationException($"node a is not the master before the {scenario}:\n{Logs()}");
        var before = Environment.GetEnvironmentVariable("HA_DEBUG") is null ? "" : Nstat();
        var t0 = Now;
        fault();
        var first = await client.WaitForSuccessAsync("b", t0, FaultTimeout);
        if (waitForExit) await A.Fulcrum!.WaitForExitAsync(FaultTimeout + _options.AcceptGrace);
        var steady = await client.WaitForSteadyAsync(first?.End ?? t0, SteadyRequests, FaultTimeout);
        var end = Now;
        var failed = Failures(t0, end);
        var takeover = B.BecameMaster(t0) - t0;
        var errors = steady ? Summary(failed).TrimStart(';', ' ') : "the client did not become steady again";
        var result = new FailoverResult(scenario, first?.End - t0, takeover, failed.Count, client.Records.Count(r => r.Ok && r.End >= t0 && r.End <= end), errors);
        _progress(result.ToString());
        if (before.Length > 0) _progress("    nstat before:\n" + before + "\n    after:\n" + Nstat());
        foreach (var r in failed) _progress(string.Create(CultureInfo.InvariantCulture, $"    failed: {(r.Start - t0).TotalMilliseconds:F0}..{(r.End - t0).TotalMilliseconds:F0} ms {r.Error}"));
        return result;
    }

    /// <summary>HA_DEBUG=1: each node's TCP counters (resets sent, connections opened) and the client's ARP entry for the VIP.</summary>
    private string Nstat()
    {
        var text = new StringBuilder();
        foreach (var node in new[] { A, B })
        {
            var counters = Command.TryRun("ip", "netns", "exec", node.Member.Namespace, "nstat", "-asz",
                "TcpOutRsts", "TcpActiveOpens", "TcpPassiveOpens", "TcpExtTCPAbortOnData", "TcpExtListenDrops").Output;
            var pairs = counters.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(line => string.Join(' ', line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(2)));
            text.Append(node.Name).Append(": ").AppendJoin(' ', pairs).Append('\n');
        }

        return text.Append("client arp: ").Append(Command.TryRun("ip", "-n", _network["cl"].Namespace, "neigh", "show", Vip).Output.Trim()).ToString();
    }

    private static string Summary(List<RequestRecord> failed) =>
        failed.Count == 0 ? "" : "; " + string.Join(", ", failed.GroupBy(r => r.Error).Select(g => $"{g.Count()}x {g.Key}"));

    private string NodeConfig(HaNode node) => $$"""
        admin:
          bind: 127.0.0.1:9900
        shutdown:
          accept-grace: {{(long)_options.AcceptGrace.TotalMilliseconds}}ms
        vrrp:
          virtual-router-id: 51
          interface: {{A.Member.Interface}}
          virtual-ips: [ {{Vip}}/24 ]
          advert-interval: {{(long)_options.AdvertInterval.TotalMilliseconds}}ms
          preempt: {{(_options.Preempt ? "true" : "false")}}
          unicast: {{(_options.Unicast ? "true" : "false")}}
          loopback-vip: {{(_options.LoopbackVip ? "true" : "false")}}
          second-chance: {{(_options.SecondChance && _options.LoopbackVip ? "true" : "false")}}
          state-file: {{node.StateFile}}
          process-name: {{_network.Id}}-{{node.Name}}
          nodes:
            - { name: a, address: {{A.Member.Address}}, priority: {{A.Priority}}, interface: {{A.Member.Interface}} }
            - { name: b, address: {{B.Member.Address}}, priority: {{B.Priority}}, interface: {{B.Member.Interface}} }
        listeners:
          - name: web
            bind: 0.0.0.0:{{Port}}
            routes:
              - pool: app
                transforms: { response-headers: { set: { X-Node: {{node.Name}} } } }
        pools:
          - name: app
            backends:
        {{string.Concat(LabBackends.Addresses(_network["sv"].Address).Select(a => $"      - {{ address: {a} }}\n"))}}
        """;
}
