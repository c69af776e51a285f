namespace Fulcrum.Simulation;

/// <summary>
/// The simulator's virtual time, in nanoseconds, given to the real balancers and leases so that their latency
/// averages see simulated time. Timers never fire: nothing in a simulation changes weights or runs slow start.
/// </summary>
internal sealed class SimulatedClock : TimeProvider
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Now, in nanoseconds since the simulation began (plus one, so no timestamp is 0, which means "never").</summary>
    public long Now { get; set; } = 1;

    public override long TimestampFrequency => 1_000_000_000;

    public override long GetTimestamp() => Now;

    public override DateTimeOffset GetUtcNow() => Epoch.AddTicks(Now / 100);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) => Silent.Timer;

    public static long Nanoseconds(double seconds) => (long)(seconds * 1e9);

    private sealed class Silent : ITimer
    {
        public static readonly Silent Timer = new();
        public bool Change(TimeSpan dueTime, TimeSpan period) => true;
        public void Dispose() { }
        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
