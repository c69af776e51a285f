namespace Fulcrum.L4;

/// <summary>
/// A data plane's one timer: every interval it hands the current timestamp to a sweep that walks the open
/// connections or sessions for their timeouts, so no connection needs a timer of its own. The timer comes from
/// the store's <see cref="TimeProvider"/>: with a manual clock the sweep runs inside the test's Advance, on its
/// thread, and a timeout fires exactly when the test moves the clock past it.
/// </summary>
internal sealed class Sweeper : IAsyncDisposable
{
    private readonly TimeProvider _time;
    private readonly Action<long> _sweep;
    private readonly ITimer _timer;
    private int _sweeping;

    public Sweeper(TimeProvider time, TimeSpan interval, Action<long> sweep)
    {
        _time = time;
        _sweep = sweep;
        _timer = time.CreateTimer(static state => ((Sweeper)state!).Tick(), this, interval, interval);
    }

    /// <summary>Stops the timer; a sweep under way finishes first.</summary>
    public ValueTask DisposeAsync() => _timer.DisposeAsync();

    // A sweep that outlasts the interval (a starved machine) is not joined by the next tick: that one is skipped.
    private void Tick()
    {
        if (Interlocked.Exchange(ref _sweeping, 1) != 0) return;
        try
        {
            _sweep(_time.GetTimestamp());
        }
        finally
        {
            Volatile.Write(ref _sweeping, 0);
        }
    }
}
