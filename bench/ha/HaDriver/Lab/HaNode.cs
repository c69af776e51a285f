using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Fulcrum.Bench.Ha.Lab;

/// <summary>
/// One balancer node: the real fulcrum in the node's namespace, and keepalived with the keepalived.conf that
/// `fulcrum keepalived` writes from the same config, run in that namespace (`-s`, so that its process tracking, which
/// the kernel offers only in the host's namespace, is opened before it enters).
/// </summary>
public sealed partial class HaNode : IDisposable
{
    private readonly string _fulcrumDll;
    private readonly string _directory;
    private readonly Stopwatch _clock;
    private int _fulcrumStarts;

    public HaNode(string name, int priority, LabMember member, string fulcrumDll, string directory, Stopwatch clock)
    {
        Name = name;
        Priority = priority;
        Member = member;
        _fulcrumDll = fulcrumDll;
        _directory = directory;
        _clock = clock;
        ConfigPath = Path.Combine(directory, $"fulcrum-{name}.yaml");
        KeepalivedConfPath = Path.Combine(directory, $"keepalived-{name}.conf");
        StateFile = Path.Combine(directory, $"vrrp-state-{name}");
    }

    public string Name { get; }

    public int Priority { get; }

    public LabMember Member { get; }

    public string ConfigPath { get; }

    public string KeepalivedConfPath { get; }

    public string StateFile { get; }

    public LabProcess? Fulcrum { get; private set; }

    public LabProcess? Keepalived { get; private set; }

    /// <summary>Starts fulcrum and waits until it has taken its tracked process name: every listener serves.</summary>
    public async Task StartFulcrumAsync(TimeSpan timeout)
    {
        Fulcrum?.Dispose();
        var run = ++_fulcrumStarts;
        Fulcrum = LabProcess.Start($"fulcrum {Name}#{run}", Path.Combine(_directory, $"fulcrum-{Name}.log"), _clock, "ip",
            ["netns", "exec", Member.Namespace, "dotnet", _fulcrumDll, "run", "-c", ConfigPath, "--drain-timeout", "5s"]);
        await Fulcrum.WaitForLineAsync(ProcessNamed(), timeout);
    }

    /// <summary>
    /// Writes this node's keepalived.conf with `fulcrum keepalived` and starts keepalived on it; with
    /// <paramref name="secondChance"/>, first loads the node's second-chance rules (`fulcrum keepalived --nftables`).
    /// </summary>
    public void StartKeepalived(bool secondChance)
    {
        if (secondChance)
        {
            var rules = Path.Combine(_directory, $"second-chance-{Name}.nft");
            Command.Run("dotnet", _fulcrumDll, "keepalived", "-c", ConfigPath, "--node", Name, "--nftables", "--out", rules);
            Command.Run("ip", "netns", "exec", Member.Namespace, "nft", "-f", rules);
        }

        Command.Run("dotnet", _fulcrumDll, "keepalived", "-c", ConfigPath, "--node", Name, "--out", KeepalivedConfPath);
        Keepalived = LabProcess.Start($"keepalived {Name}", Path.Combine(_directory, $"keepalived-{Name}.log"), _clock, "keepalived",
        [
            "--dont-fork", "--log-console", "--log-detail", "--no-syslog", "--vrrp", "--namespace", Member.Namespace,
            "--use-file", KeepalivedConfPath,
            "--pid", Path.Combine(_directory, $"keepalived-{Name}.pid"),
            "--vrrp_pid", Path.Combine(_directory, $"keepalived-{Name}-vrrp.pid"),
        ]);
    }

    /// <summary>True when the virtual IP is on the node's VRRP interface (not counting the loopback copy).</summary>
    public bool HasVip(string vip) =>
        Command.TryRun("ip", "-n", Member.Namespace, "-4", "-o", "addr", "show", "dev", Member.Interface).Output.Contains($" {vip}/", StringComparison.Ordinal);

    /// <summary>When keepalived last said it became master, on the lab's clock; null if it has not since <paramref name="after"/>.</summary>
    public TimeSpan? BecameMaster(TimeSpan after) =>
        Keepalived?.Lines.Where(l => l.At > after && EnteringMaster().IsMatch(l.Line)).Select(l => (TimeSpan?)l.At).FirstOrDefault();

    public Task WaitForKeepalivedStateAsync(string state, TimeSpan after, TimeSpan timeout) =>
        Keepalived!.WaitForLineAsync(new Regex($@"Entering {state} STATE"), timeout, after);

    public void Dispose()
    {
        Fulcrum?.Dispose();
        Keepalived?.Dispose();
    }

    [GeneratedRegex(@"vrrp: process name is now")]
    private static partial Regex ProcessNamed();

    [GeneratedRegex(@"Entering MASTER STATE")]
    private static partial Regex EnteringMaster();
}
