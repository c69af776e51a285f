using System.Diagnostics;
using System.Globalization;
using System.Text;
using Fulcrum.Bench.Ha.Lab;

namespace Fulcrum.Bench.Ha.Anycast;

/// <summary>
/// Anycast in network namespaces (docs/gslb.md, "Anycast"): a router running BIRD with ECMP into its kernel table
/// (`merge paths on`, `fib_multipath_hash_policy=1`, so flows from different source ports spread), two balancer nodes
/// that each announce the same /32 over eBGP with BFD, and nginx backends, on one bridge (bench/ha's NetworkLab). The
/// client runs in the router's namespace and opens a new connection per request. Each fault method takes node a down
/// one way and times, at the router and the client, how long until node a received no new flows.
/// </summary>
public sealed class AnycastLab : IAsyncDisposable
{
    public const string Vip = "10.231.9.1";
    public const int Port = 8080;
    public const int RouterAs = 65000;
    public const int NodeAs = 65010;
    private const int SteadyRequests = 50;
    private static readonly TimeSpan FaultTimeout = TimeSpan.FromSeconds(20);

    private readonly AnycastLabOptions _options;
    private readonly Action<string> _progress;
    private readonly NetworkLab _network;
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private LabProcess? _backends;
    private LabProcess? _router;
    private NetnsSockets? _clientSockets;
    private RouteMonitor? _routes;

    private AnycastLab(AnycastLabOptions options, Action<string> progress, NetworkLab network)
    {
        _options = options;
        _progress = progress;
        _network = network;
        A = new AnycastNode("a", network["a"], options.FulcrumDll, options.Directory, _clock);
        B = new AnycastNode("b", network["b"], options.FulcrumDll, options.Directory, _clock);
    }

    public AnycastNode A { get; }

    public AnycastNode B { get; }

    public LabMember Router => _network["rt"];

    public VipClient? Client { get; private set; }

    public TimeSpan Now => _clock.Elapsed;

    public static async Task<AnycastLab> StartAsync(AnycastLabOptions options, Action<string> progress)
    {
        Directory.CreateDirectory(options.Directory);
        var network = NetworkLab.Create(("rt", 1), ("a", 11), ("b", 12), ("sv", 20));
        var lab = new AnycastLab(options, progress, network);
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

    /// <summary>The next hops of the router's kernel route to the anycast address, by node name.</summary>
    public IReadOnlyList<string> NextHops()
    {
        var route = Command.TryRun("ip", "-n", Router.Namespace, "route", "show", Vip).Output;
        return [.. new[] { A, B }.Where(n => route.Contains($"via {n.Member.Address} ", StringComparison.Ordinal)).Select(n => n.Name)];
    }

    /// <summary>Requests the client got answered by each node since <paramref name="after"/>.</summary>
    public IReadOnlyDictionary<string, int> AnsweredBy(TimeSpan after) =>
        Client!.Records.Where(r => r.Ok && r.End > after && r.Node is not null).GroupBy(r => r.Node!).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>SIGKILL to node a's fulcrum: the hook's next checks are refused, it disables the route, BGP withdraws it.</summary>
    public Task<AnycastResult> KillFulcrumAsync() => FaultAsync("kill fulcrum", () => A.Fulcrum!.Signal(Posix.SIGKILL));

    /// <summary>SIGTERM to node a's fulcrum: /healthz says 503 at once while it keeps accepting for its accept grace.</summary>
    public Task<AnycastResult> DrainFulcrumAsync() => FaultAsync("drain fulcrum", () => A.Fulcrum!.Signal(Posix.SIGTERM));

    /// <summary>Node a's cable is pulled: nothing reaches it and nothing it sends arrives; only BFD (or BGP's hold time) can tell.</summary>
    public Task<AnycastResult> CutLinkAsync() => FaultAsync("link cut", () => _network.CutLink("a"));

    /// <summary>Brings node a back (fulcrum restarted or link restored) and waits until both nodes answer again.</summary>
    public async Task<string> RestoreAsync(string scenario)
    {
        var start = Now;
        if (scenario == "link cut") _network.RestoreLink("a");
        else await A.StartFulcrumAsync(_options.StartTimeout);
        var back = await Client!.WaitForSuccessAsync("a", start, _options.StartTimeout)
            ?? throw new TimeoutException($"node a never answered again after the {scenario} was undone:\n{Logs()}");
        return string.Create(CultureInfo.InvariantCulture, $"node a answered again {(back.End - start).TotalMilliseconds:F0} ms after it was brought back; next hops {string.Join(",", NextHops())}");
    }

    public List<RequestRecord> Failures(TimeSpan from, TimeSpan to) =>
        [.. Client!.Records.Where(r => !r.Ok && r.End >= from && r.End <= to)];

    public string Logs()
    {
        var text = new StringBuilder();
        foreach (var process in new[] { _router, _routes?.Process, A.Bird, A.Hook, A.Fulcrum, B.Bird, B.Hook, B.Fulcrum })
        {
            if (process is null) continue;
            text.Append("--- ").Append(process.Name).Append('\n').Append(process.Tail(20)).Append('\n');
        }

        text.Append("--- router route: ").Append(Command.TryRun("ip", "-n", Router.Namespace, "route", "show", Vip).Output.Trim()).Append('\n');
        return text.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        if (Client is not null) await Client.DisposeAsync();
        _clientSockets?.Dispose();
        _routes?.Dispose();
        A.Dispose();
        B.Dispose();
        _router?.Dispose();
        _backends?.Dispose();
        _network.Dispose();
    }

    /// <summary>BIRD in the foreground in <paramref name="networkNamespace"/>, logging to stderr (the lab keeps it).</summary>
    internal static LabProcess StartBird(string name, string networkNamespace, string conf, string socket, string directory, Stopwatch clock) =>
        LabProcess.Start(name, Path.Combine(directory, name.Replace(' ', '-') + ".log"), clock, "ip",
            ["netns", "exec", networkNamespace, "bird", "-f", "-c", conf, "-s", socket, "-P", Path.ChangeExtension(socket, ".pid")]);

    private async Task BuildAsync()
    {
        _progress($"lab {_network.Id}: router, two anycast nodes and backends on a bridge; configs and logs in {_options.Directory}");
        // Flows are hashed on addresses and ports (L4), so the client's connections from one address spread.
        Command.Run("ip", "netns", "exec", Router.Namespace, "sysctl", "-qw", "net.ipv4.fib_multipath_hash_policy=1");
        var routerConf = Path.Combine(_options.Directory, "bird-router.conf");
        File.WriteAllText(routerConf, RouterConf());
        _routes = new RouteMonitor(Router.Namespace, _options.Directory, _clock);
        _router = StartBird("bird router", Router.Namespace, routerConf, Path.Combine(_options.Directory, "bird-router.ctl"), _options.Directory, _clock);

        _backends = await LabBackends.StartAsync(_network["sv"], _options.Directory, _clock, _options.StartTimeout);
        foreach (var node in new[] { A, B })
        {
            Command.Run("ip", "-n", node.Member.Namespace, "addr", "add", $"{Vip}/32", "dev", "lo");
            File.WriteAllText(node.ConfigPath, NodeConfig(node));
            File.WriteAllText(node.BirdConfPath, NodeBirdConf(node));
            node.StartBird();
        }

        await Task.WhenAll(A.StartFulcrumAsync(_options.StartTimeout), B.StartFulcrumAsync(_options.StartTimeout));
        foreach (var node in new[] { A, B }) node.StartHook(_options.HookInterval, _options.HookTimeout);
        var waiting = Stopwatch.StartNew();
        while (NextHops().Count < 2)
        {
            if (waiting.Elapsed > _options.StartTimeout) throw new TimeoutException($"the router never had both nodes as next hops for {Vip}:\n{Logs()}");
            if (new[] { _router, A.Bird, B.Bird }.FirstOrDefault(p => p!.HasExited) is { } exited)
                throw new InvalidOperationException($"{exited.Name} exited with {exited.ExitCode}:\n{Logs()}");
            await Task.Delay(50);
        }

        _progress($"lab {_network.Id}: the router reaches {Vip} through a and b after {waiting.Elapsed.TotalMilliseconds:F0} ms");
        _clientSockets = new NetnsSockets(Router.Namespace);
        Client = new VipClient(_clientSockets, new Uri($"http://{Vip}:{Port}/"), _clock, _options.Workers, _options.RequestTimeout, _options.Pause, keepAlive: false);
        Client.Start();
        foreach (var node in new[] { A, B })
        {
            if (await Client.WaitForSuccessAsync(node.Name, TimeSpan.Zero, _options.StartTimeout) is null)
                throw new TimeoutException($"the client never got an answer from node {node.Name}:\n{Logs()}");
        }
    }

    private async Task<AnycastResult> FaultAsync(string scenario, Action fault)
    {
        var client = Client!;
        if (await client.WaitForSuccessAsync("a", Now - TimeSpan.FromSeconds(1), FaultTimeout) is null || NextHops().Count != 2)
            throw new InvalidOperationException($"node a does not serve before the {scenario}:\n{Logs()}");
        // The withdrawal is timed on the wall clock, as ip stamps the router's route changes (RouteMonitor).
        var t0 = Now;
        var faultAt = DateTime.UtcNow;
        fault();
        TimeSpan? withdrawn = null;
        while (Now - t0 < FaultTimeout)
        {
            if (_routes!.LeftAt(Vip, A.Member.Address.ToString(), faultAt) is { } left)
            {
                withdrawn = left - faultAt;
                break;
            }

            await Task.Delay(5);
        }

        // Steady: the last SteadyRequests requests, all begun after the withdrawal, succeeded.
        var steady = await client.WaitForSteadyAsync(t0 + (withdrawn ?? TimeSpan.Zero), SteadyRequests, FaultTimeout);
        var end = Now;
        var failed = Failures(t0, end);
        var errors = steady
            ? string.Join(", ", failed.GroupBy(r => r.Error).Select(g => $"{g.Count()}x {g.Key}"))
            : "the client did not become steady again";
        var result = new AnycastResult(scenario, t0, withdrawn, failed.Count == 0 ? null : failed.Max(r => r.End) - t0, failed.Count,
            client.Records.Count(r => r.Ok && r.End >= t0 && r.End <= end), errors);
        _progress(result.ToString());
        return result;
    }

    private string RouterConf() => $$"""
        # The router: ECMP over every node that announces the anycast address (docs/gslb.md, "Anycast").
        router id {{Router.Address}};
        log stderr all;
        timeformat log "%T.%3f";          # milliseconds and every route change in the log: a slow withdrawal shows where
        debug protocols { states, routes, events }; # its time went (here, beside the node's BIRD and its hook)
        protocol device { scan time 10; }
        protocol kernel {
          ipv4 { import none; export all; };
          merge paths on;            # equal BGP routes from several nodes become one multipath kernel route
        }
        protocol bfd {
          interface "*" { interval {{(long)_options.BfdInterval.TotalMilliseconds}} ms; multiplier {{_options.BfdMultiplier}}; };
        }
        template bgp anycast_node {
          local {{Router.Address}} as {{RouterAs}};
          hold time 3; keepalive time 1; connect retry time 1; error wait time 1, 5;
          bfd on;
          ipv4 { import where net = {{Vip}}/32; export none; };
        }
        protocol bgp node_a from anycast_node { neighbor {{A.Member.Address}} as {{NodeAs}}; }
        protocol bgp node_b from anycast_node { neighbor {{B.Member.Address}} as {{NodeAs}}; }

        """;

    private string NodeBirdConf(AnycastNode node) => $$"""
        # Node {{node.Name}}: announces {{Vip}}/32 while `fulcrum anycast` keeps the static protocol enabled.
        router id {{node.Member.Address}};
        log stderr all;
        timeformat log "%T.%3f";          # milliseconds and every route change in the log, as on the router
        debug protocols { states, routes, events };
        protocol device { scan time 10; }
        protocol bfd {
          interface "*" { interval {{(long)_options.BfdInterval.TotalMilliseconds}} ms; multiplier {{_options.BfdMultiplier}}; };
        }
        protocol static {{AnycastNode.Protocol}} {
          ipv4;
          route {{Vip}}/32 via "lo";
          disabled yes;              # withdrawn until the hook sees fulcrum serve
        }
        protocol bgp uplink {
          local {{node.Member.Address}} as {{NodeAs}};
          neighbor {{Router.Address}} as {{RouterAs}};
          hold time 3; keepalive time 1; connect retry time 1; error wait time 1, 5;
          bfd on;
          ipv4 { import none; export where proto = "{{AnycastNode.Protocol}}"; next hop self; };
        }

        """;

    private string NodeConfig(AnycastNode node) => $$"""
        admin:
          bind: 127.0.0.1:9900
        shutdown:
          accept-grace: {{(long)_options.AcceptGrace.TotalMilliseconds}}ms
        listeners:
          - name: web
            bind: 0.0.0.0:{{Port}}
            routes:
              - pool: app
                transforms: { response-headers: { set: { X-Node: {{node.Name}} } } }
        pools:
          - name: app
            backends:
        {{string.Join('\n', LabBackends.Addresses(_network["sv"].Address).Select(a => $"      - {{ address: {a} }}"))}}

        """;
}
