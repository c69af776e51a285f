using Fulcrum.Core.Observability;

namespace Fulcrum.Core.Model;

/// <summary>
/// Live counters of one backend. Every balancer, passive health and the API read these same numbers,
/// so there is one source of truth. Writers use Interlocked; EWMAs tolerate the rare lost update.
/// </summary>
public sealed class BackendStats
{
    private long _active;
    private long _total;
    private long _failures;
    private long _bytesSent;
    private long _bytesReceived;
    private long _ewmaLatencyTicks; // Stopwatch-independent: TimeSpan ticks (100 ns)
    private long _bandwidthBits;    // double bits: bytes per second, decaying
    private long _bandwidthStamp;   // TimeProvider timestamp of the last bandwidth update
    private long _peakCostBits;     // double bits: peak-EWMA latency in seconds
    private long _peakStamp;        // TimeProvider timestamp of the last peak-EWMA update
    private readonly long[] _statusClasses = new long[5]; // 1xx..5xx answers (L7)
    private long _connectFailures;
    private long _timeouts;
    private long _resets;
    private long _serverErrors;
    private long _drains;

    /// <summary>Work in flight: requests (L7) or connections (L4).</summary>
    public long Active => Volatile.Read(ref _active);
    public long Total => Volatile.Read(ref _total);
    public long Failures => Volatile.Read(ref _failures);
    public long BytesSent => Volatile.Read(ref _bytesSent);
    public long BytesReceived => Volatile.Read(ref _bytesReceived);

    /// <summary>Latency of finished work, for the metrics' histogram and the dashboard's p50/p99.</summary>
    public LatencyHistogram Latency { get; } = new();

    /// <summary>Answers with status class <paramref name="digit"/>xx (1..5) seen from this backend.</summary>
    public long StatusClass(int digit) => Volatile.Read(ref _statusClasses[digit - 1]);
    public long ConnectFailures => Volatile.Read(ref _connectFailures);
    public long Timeouts => Volatile.Read(ref _timeouts);
    public long Resets => Volatile.Read(ref _resets);
    /// <summary>502/503/504 answers that counted against the backend.</summary>
    public long ServerErrors => Volatile.Read(ref _serverErrors);
    /// <summary>Times an operator or a removal started draining this backend.</summary>
    public long Drains => Volatile.Read(ref _drains);

    /// <summary>Counts the HTTP status a backend answered (L7); call before the lease is released.</summary>
    public void RecordStatus(int status)
    {
        var digit = status / 100;
        if (digit is >= 1 and <= 5) Interlocked.Increment(ref _statusClasses[digit - 1]);
    }

    internal void CountDrain() => Interlocked.Increment(ref _drains);

    /// <summary>Exponentially weighted moving average of latency (alpha 0.3); zero until the first sample.</summary>
    public TimeSpan EwmaLatency => TimeSpan.FromTicks(Volatile.Read(ref _ewmaLatencyTicks));

    /// <summary>Decaying estimate of bytes per second through this backend (time constant 2 s).</summary>
    public double BytesPerSecond => BitConverter.Int64BitsToDouble(Volatile.Read(ref _bandwidthBits));

    internal void Begin() => Interlocked.Increment(ref _active);

    /// <summary>Takes back a <see cref="Begin"/> whose work never started (see <see cref="Lease.Abandon"/>).</summary>
    internal void Cancel() => Interlocked.Decrement(ref _active);

    internal void End(Outcome outcome, TimeSpan latency, long bytesSent, long bytesReceived, long now, TimeProvider time)
    {
        Interlocked.Decrement(ref _active);
        Interlocked.Increment(ref _total);
        if (outcome is not (Outcome.Success or Outcome.ClientAbort))
        {
            Interlocked.Increment(ref _failures);
            switch (outcome)
            {
                case Outcome.ConnectFailure: Interlocked.Increment(ref _connectFailures); break;
                case Outcome.Timeout: Interlocked.Increment(ref _timeouts); break;
                case Outcome.Reset: Interlocked.Increment(ref _resets); break;
                case Outcome.ServerError: Interlocked.Increment(ref _serverErrors); break;
            }
        }

        if (bytesSent != 0) Interlocked.Add(ref _bytesSent, bytesSent);
        if (bytesReceived != 0) Interlocked.Add(ref _bytesReceived, bytesReceived);

        RecordLatency(latency);
        RecordPeak(latency.TotalSeconds, now, time);
        Latency.Record(latency);
        RecordBytes(bytesSent + bytesReceived, now, time);
    }

    /// <summary>Adds bytes while work is still in flight (long L4 connections), so least-bandwidth sees them early.</summary>
    public void AddBytes(long bytesSent, long bytesReceived, TimeProvider time)
    {
        if (bytesSent != 0) Interlocked.Add(ref _bytesSent, bytesSent);
        if (bytesReceived != 0) Interlocked.Add(ref _bytesReceived, bytesReceived);
        RecordBytes(bytesSent + bytesReceived, time.GetTimestamp(), time);
    }

    private void RecordLatency(TimeSpan latency)
    {
        const double Alpha = 0.3;
        var old = Volatile.Read(ref _ewmaLatencyTicks);
        var next = old == 0 ? latency.Ticks : (long)(Alpha * latency.Ticks + (1 - Alpha) * old);
        Volatile.Write(ref _ewmaLatencyTicks, Math.Max(1, next));
    }

    /// <summary>
    /// The decay time of the peak-EWMA latency: Finagle's and Linkerd's default, long enough to remember a slow
    /// spell for several seconds, short enough that a backend which recovered is tried again within one.
    /// </summary>
    public static readonly TimeSpan PeakDecay = TimeSpan.FromSeconds(10);

    // Finagle's peak EWMA: a sample above the estimate replaces it at once (peak-sensitive); one below pulls it
    // down by the weight time has earned since the last sample, c <- c * e^(-dt/tau) + rtt * (1 - e^(-dt/tau)).
    private void RecordPeak(double seconds, long now, TimeProvider time)
    {
        var cost = PeakAt(now, time, seconds);
        Volatile.Write(ref _peakCostBits, BitConverter.DoubleToInt64Bits(cost));
        Volatile.Write(ref _peakStamp, now);
    }

    private double PeakAt(long now, TimeProvider time, double sample)
    {
        var cost = BitConverter.Int64BitsToDouble(Volatile.Read(ref _peakCostBits));
        var last = Volatile.Read(ref _peakStamp);
        if (last == 0 || sample > cost) return sample;
        var w = Math.Exp(-Math.Max(0, time.GetElapsedTime(last, now).TotalSeconds) / PeakDecay.TotalSeconds);
        return cost * w + sample * (1 - w);
    }

    /// <summary>
    /// The peak-EWMA latency in seconds, decayed to now as if a zero-latency sample came (Finagle reads it that way,
    /// so a backend that went quiet after a slow spell is tried again); 0 before the first sample.
    /// </summary>
    public double PeakEwmaSecondsAt(long now, TimeProvider time) => Volatile.Read(ref _peakStamp) == 0 ? 0 : PeakAt(now, time, 0);

    // Rate estimator r <- r * e^(-dt/tau) + bytes/tau: a continuous-time EWMA of throughput.
    private void RecordBytes(long bytes, long now, TimeProvider time)
    {
        const double Tau = 2.0;
        var last = Volatile.Read(ref _bandwidthStamp);
        var dt = last == 0 ? 0 : time.GetElapsedTime(last, now).TotalSeconds;
        var rate = BytesPerSecond * Math.Exp(-Math.Max(0, dt) / Tau) + bytes / Tau;
        Volatile.Write(ref _bandwidthBits, BitConverter.DoubleToInt64Bits(rate));
        Volatile.Write(ref _bandwidthStamp, now);
    }

    /// <summary>The bandwidth estimate decayed to now, for balancers that compare backends.</summary>
    public double BytesPerSecondAt(long now, TimeProvider time)
    {
        var last = Volatile.Read(ref _bandwidthStamp);
        if (last == 0) return 0;
        return BytesPerSecond * Math.Exp(-time.GetElapsedTime(last, now).TotalSeconds / 2.0);
    }
}
