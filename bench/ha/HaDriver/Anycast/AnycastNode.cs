using System.Diagnostics;
using System.Text.RegularExpressions;
using Fulcrum.Bench.Ha.Lab;

namespace Fulcrum.Bench.Ha.Anycast;

/// <summary>
/// One anycast node: in its namespace, the anycast address on the loopback, the real fulcrum, BIRD announcing the
/// address to the router over BGP (its static protocol starts disabled), and `fulcrum anycast`, the hook that enables
/// that protocol while fulcrum's /healthz says 200 and disables it otherwise.
/// </summary>
public sealed partial class AnycastNode : IDisposable
{
    public const string Protocol = "fulcrum_anycast";
    private readonly string _fulcrumDll;
    private readonly string _directory;
    private readonly Stopwatch _clock;
    private int _fulcrumStarts;

    public AnycastNode(string name, LabMember member, string fulcrumDll, string directory, Stopwatch clock)
    {
        Name = name;
        Member = member;
        _fulcrumDll = fulcrumDll;
        _directory = directory;
        _clock = clock;
        ConfigPath = Path.Combine(directory, $"fulcrum-{name}.yaml");
        BirdConfPath = Path.Combine(directory, $"bird-{name}.conf");
        BirdSocket = Path.Combine(directory, $"bird-{name}.ctl");
    }

    public string Name { get; }

    public LabMember Member { get; }

    public string ConfigPath { get; }

    public string BirdConfPath { get; }

    public string BirdSocket { get; }

    public LabProcess? Fulcrum { get; private set; }

    public LabProcess? Bird { get; private set; }

    public LabProcess? Hook { get; private set; }

    public async Task StartFulcrumAsync(TimeSpan timeout)
    {
        Fulcrum?.Dispose();
        var run = ++_fulcrumStarts;
        Fulcrum = LabProcess.Start($"fulcrum {Name}#{run}", Path.Combine(_directory, $"fulcrum-{Name}.log"), _clock, "ip",
            ["netns", "exec", Member.Namespace, "dotnet", _fulcrumDll, "run", "-c", ConfigPath, "--drain-timeout", "5s"]);
        await Fulcrum.WaitForLineAsync(AdminServing(), timeout);
    }

    public void StartBird() => Bird = AnycastLab.StartBird($"bird {Name}", Member.Namespace, BirdConfPath, BirdSocket, _directory, _clock);

    /// <summary>`fulcrum anycast` in the node's namespace, asking /healthz every <paramref name="interval"/>, each within <paramref name="timeout"/>.</summary>
    public void StartHook(TimeSpan interval, TimeSpan timeout) =>
        Hook = LabProcess.Start($"anycast hook {Name}", Path.Combine(_directory, $"anycast-{Name}.log"), _clock, "ip",
        [
            "netns", "exec", Member.Namespace, "dotnet", _fulcrumDll, "anycast", "-c", ConfigPath,
            "--bird-socket", BirdSocket, "--protocol", Protocol,
            "--interval", $"{(long)interval.TotalMilliseconds}ms", "--timeout", $"{(long)timeout.TotalMilliseconds}ms", "--rise", "2", "--fall", "2",
        ]);

    public void Dispose()
    {
        Hook?.Dispose();
        Fulcrum?.Dispose();
        Bird?.Dispose();
    }

    [GeneratedRegex(@"admin API serving on")]
    private static partial Regex AdminServing();
}
