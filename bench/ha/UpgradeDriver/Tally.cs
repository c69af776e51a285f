using System.Collections.Concurrent;

namespace Fulcrum.Bench.Upgrade;

/// <summary>
/// Per channel: what succeeded, what failed (an error, a wrong answer or no answer) and which connections were refused
/// (ECONNREFUSED: no socket listened at that moment). Counters are Interlocked; the first failures are kept for the
/// report with the time since the load began.
/// </summary>
public sealed class Tally(Func<TimeSpan> clock)
{
    private const int KeptFailures = 20;
    private static readonly int Channels = Enum.GetValues<Channel>().Length;

    private readonly long[] _ok = new long[Channels];
    private readonly long[] _failed = new long[Channels];
    private readonly long[] _refused = new long[Channels];
    private readonly ConcurrentQueue<string> _failures = new();

    public long Ok(Channel c) => Interlocked.Read(ref _ok[(int)c]);
    public long Failed(Channel c) => Interlocked.Read(ref _failed[(int)c]);
    public long Refused(Channel c) => Interlocked.Read(ref _refused[(int)c]);
    public long AllOk => Enum.GetValues<Channel>().Sum(Ok);
    public long AllFailed => Enum.GetValues<Channel>().Sum(Failed);
    public long AllRefused => Enum.GetValues<Channel>().Sum(Refused);
    public IReadOnlyCollection<string> FirstFailures => _failures;

    public void Succeeded(Channel c) => Interlocked.Increment(ref _ok[(int)c]);

    public void Fail(Channel c, string what)
    {
        Interlocked.Increment(ref _failed[(int)c]);
        Keep(c, "failed", what);
    }

    public void Refuse(Channel c, string what)
    {
        Interlocked.Increment(ref _refused[(int)c]);
        Keep(c, "refused", what);
    }

    private void Keep(Channel c, string kind, string what)
    {
        if (_failures.Count < KeptFailures) _failures.Enqueue($"{clock().TotalSeconds:F2}s {c} {kind}: {what}");
    }
}
