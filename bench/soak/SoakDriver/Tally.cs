using System.Collections.Concurrent;

namespace Fulcrum.Bench.Soak;

/// <summary>
/// What the load saw, per channel: requests that succeeded, and those that failed, split into idempotent ones (which
/// Fulcrum may replay on another backend, so none may fail) and the rest (POSTs with a body, TCP streams, UDP
/// datagrams: nobody can replay them, so a backend killed under them loses them). Counters are Interlocked; the first
/// failures are kept with their time for the report.
/// </summary>
public sealed class Tally
{
    private const int KeptFailures = 20;

    private readonly long[] _ok = new long[Channels];
    private readonly long[] _failedIdempotent = new long[Channels];
    private readonly long[] _failedOther = new long[Channels];
    private readonly long[] _failedOtherOutsideChaos = new long[Channels];
    private readonly ConcurrentQueue<string> _failures = new();
    private readonly KillLog _kills;
    private readonly Func<TimeSpan> _clock;

    public Tally(KillLog kills, Func<TimeSpan> clock)
    {
        _kills = kills;
        _clock = clock;
    }

    private static int Channels => Enum.GetValues<Channel>().Length;

    public long Ok(Channel c) => Interlocked.Read(ref _ok[(int)c]);
    public long FailedIdempotent(Channel c) => Interlocked.Read(ref _failedIdempotent[(int)c]);
    public long FailedOther(Channel c) => Interlocked.Read(ref _failedOther[(int)c]);

    /// <summary>Non-idempotent failures that no backend kill of their protocol explains: reported, worth a look.</summary>
    public long FailedOtherOutsideChaos(Channel c) => Interlocked.Read(ref _failedOtherOutsideChaos[(int)c]);

    public long AllOk => Enum.GetValues<Channel>().Sum(Ok);
    public long AllFailedIdempotent => Enum.GetValues<Channel>().Sum(FailedIdempotent);
    public long AllFailedOther => Enum.GetValues<Channel>().Sum(FailedOther);

    public IReadOnlyCollection<string> FirstFailures => _failures;

    public void Succeeded(Channel c) => Interlocked.Increment(ref _ok[(int)c]);

    /// <summary>Counts a failure of work that ran from <paramref name="started"/> until now (times since the load began).</summary>
    public void Failed(Channel c, bool idempotent, TimeSpan started, string what)
    {
        var now = _clock();
        string kind;
        if (idempotent)
        {
            Interlocked.Increment(ref _failedIdempotent[(int)c]);
            kind = "idempotent";
        }
        else
        {
            Interlocked.Increment(ref _failedOther[(int)c]);
            var explained = _kills.Explains(c, started, now);
            if (!explained) Interlocked.Increment(ref _failedOtherOutsideChaos[(int)c]);
            kind = explained ? "not idempotent, a backend was killed" : "not idempotent, no kill explains it";
        }

        if (_failures.Count < KeptFailures) _failures.Enqueue($"{now.TotalSeconds:F1}s {c} ({kind}): {what}");
    }
}
