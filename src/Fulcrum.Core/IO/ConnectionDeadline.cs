namespace Fulcrum.Core.IO;

/// <summary>
/// A connection's one clock: a deadline that each wait sets (a header-timeout, a keep-alive, a request-timeout) and
/// whose <see cref="Token"/> is cancelled once it passes. Setting it is a field write; the one timer behind it is
/// touched only when the new deadline is earlier than the timer's wake-up. When the timer wakes early (the deadline
/// moved on since), it looks at the deadline and sleeps again until then. nginx and HAProxy keep a deadline per
/// connection the same way and let a coarse timer check it, rather than re-arming a timer per read: a
/// CancellationTokenSource.CancelAfter per wait took the runtime's timer lock several times per request.
/// Time comes from a <see cref="TimeProvider"/>, so tests move it exactly.
/// </summary>
internal sealed class ConnectionDeadline : IDisposable
{
    private const long Never = long.MaxValue;

    private readonly TimeProvider _time;
    // The system's clock is read coarsely (Environment.TickCount64, milliseconds: a memory read in the vDSO, where
    // Stopwatch's clock is a precise read per call, and a connection sets its deadline several times per request);
    // timeouts are seconds long. Any other provider (a test's) is read exactly.
    private readonly bool _coarse;
    private readonly long _frequency;
    private readonly CancellationTokenSource _cancel = new();
    private readonly ITimer _timer;
    private readonly object _gate = new();
    // When the token fires (a timestamp of _time), Never when no wait is timed. Written by the connection's thread.
    private long _due = Never;
    // When the timer wakes (Never: not armed). Changed under _gate.
    private long _wake = Never;

    public ConnectionDeadline(TimeProvider time)
    {
        _time = time;
        _coarse = time == TimeProvider.System;
        _frequency = _coarse ? 1000 : time.TimestampFrequency;
        // The timer needs no caller's ExecutionContext: its callback only cancels the token.
        using (ExecutionContext.SuppressFlow())
        {
            _timer = time.CreateTimer(static s => ((ConnectionDeadline)s!).OnWake(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    public CancellationToken Token => _cancel.Token;

    public bool IsCancellationRequested => _cancel.IsCancellationRequested;

    /// <summary>
    /// The token fires <paramref name="timeout"/> from now (at once for zero or less); an infinite timeout clears the
    /// deadline, as CancellationTokenSource.CancelAfter does.
    /// </summary>
    public void Set(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            Clear();
            return;
        }

        if (timeout <= TimeSpan.Zero)
        {
            Cancel();
            return;
        }

        var now = Now();
        var due = now + ToTimestamp(timeout);
        // A full fence between writing the deadline and reading the wake-up, paired with OnWake's (which clears the
        // wake-up, then reads the deadline): either the timer sees the new deadline, or this sees it must arm.
        Interlocked.Exchange(ref _due, due);
        if (Volatile.Read(ref _wake) <= due) return; // it wakes first and looks again

        lock (_gate)
        {
            if (_wake <= due || _cancel.IsCancellationRequested) return;
            _wake = due;
            _timer.Change(ToTimeSpan(due - now), Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>No deadline until the next <see cref="Set"/>; a timer already armed wakes once and finds nothing due.</summary>
    public void Clear() => Volatile.Write(ref _due, Never);

    /// <summary>Fires the token now (the client went away, the connection is closing).</summary>
    public void Cancel()
    {
        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    /// <summary>Clears the deadline for the next use; false when the token fired (then it stays fired).</summary>
    public bool TryReset()
    {
        Clear();
        return !_cancel.IsCancellationRequested;
    }

    public void Dispose()
    {
        _timer.Dispose();
        _cancel.Dispose();
    }

    private void OnWake()
    {
        var fire = false;
        lock (_gate)
        {
            Interlocked.Exchange(ref _wake, Never);
            var due = Volatile.Read(ref _due);
            if (due == Never) return;
            var now = Now();
            if (now >= due) fire = true;
            else
            {
                _wake = due;
                _timer.Change(ToTimeSpan(due - now), Timeout.InfiniteTimeSpan);
            }
        }

        if (fire) Cancel();
    }

    private long Now() => _coarse ? Environment.TickCount64 : _time.GetTimestamp();

    // Exact in ticks when the provider counts ticks (a test's clock); else through double, rounded up (a deadline is
    // never early), capped far from overflow.
    private long ToTimestamp(TimeSpan span) => _frequency == TimeSpan.TicksPerSecond
        ? Math.Min(span.Ticks, Never / 4)
        : (long)Math.Min(Math.Ceiling(span.TotalSeconds * _frequency), Never / 4);

    private TimeSpan ToTimeSpan(long timestamps) => _frequency == TimeSpan.TicksPerSecond
        ? TimeSpan.FromTicks(timestamps)
        : TimeSpan.FromTicks((long)(timestamps * ((double)TimeSpan.TicksPerSecond / _frequency)));
}
