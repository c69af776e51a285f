using Fulcrum.Core.Observability;

namespace Fulcrum.Hosting;

/// <summary>
/// Writes one access log: a thread that wakes every <see cref="AccessLog.BatchDelay"/> and writes what gathered.
/// A thread of its own, not a thread-pool item: opening a FIFO blocks until a reader comes, and a stalled write
/// blocks too; neither may hold a thread the event loops or the timers need.
/// </summary>
internal sealed class AccessLogThread : IDisposable
{
    private readonly AccessLog _log;
    private readonly ManualResetEventSlim _stopping = new();
    private readonly Thread _thread;

    public AccessLogThread(AccessLog log)
    {
        _log = log;
        _thread = new Thread(Run) { IsBackground = true, Name = "fulcrum-access-log" };
        _thread.Start();
    }

    /// <summary>Wakes the writer for its last batch (the log is already disposed) and waits for it a little.</summary>
    public void Dispose()
    {
        _stopping.Set();
        // A writer stuck on a stalled destination is abandoned (a background thread), with the event it waits on.
        if (_thread.Join(TimeSpan.FromSeconds(2))) _stopping.Dispose();
    }

    // Lines gather between wake-ups: polling costs the request path nothing (no wake-up per line), and a line
    // reaches the file within about BatchDelay. WriteQueued says when the log is done.
    private void Run()
    {
        while (_log.WriteQueued()) _stopping.Wait(AccessLog.BatchDelay);
    }
}
