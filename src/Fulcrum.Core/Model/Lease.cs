namespace Fulcrum.Core.Model;

/// <summary>
/// A pick that counts as active work on its backend until released. The release records outcome,
/// latency and bytes. A struct so that taking one allocates nothing.
/// </summary>
public readonly struct Lease
{
    private readonly TimeProvider _time;
    private readonly long _started;

    internal Lease(Backend backend, TimeProvider time)
    {
        Backend = backend;
        _time = time;
        _started = time.GetTimestamp();
        backend.Stats.Begin();
    }

    public Backend Backend { get; }

    public bool IsValid => Backend is not null;

    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    public void Release(Outcome outcome, long bytesSent = 0, long bytesReceived = 0)
    {
        var now = _time.GetTimestamp();
        var latency = _time.GetElapsedTime(_started, now);
        Backend.Stats.End(outcome, latency, bytesSent, bytesReceived, now, _time);
        Backend.OnReleased(outcome);
    }

    /// <summary>
    /// Gives back a lease that never carried work (its backend stopped taking new work before it was used):
    /// no outcome, latency or bytes are recorded, only the active count drops, and a drain waiting for it may end.
    /// </summary>
    internal void Abandon()
    {
        Backend.Stats.Cancel();
        Backend.Drain?.CheckEmpty();
    }
}
