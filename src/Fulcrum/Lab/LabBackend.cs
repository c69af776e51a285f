using System.Globalization;
using Microsoft.AspNetCore.Http;

using Fulcrum.Hosting;

namespace Fulcrum.Lab;

/// <summary>
/// A lab backend: a real Kestrel server on 127.0.0.1 (an OS-chosen port) with a fixed capacity:
/// <see cref="Workers"/> requests are served at once, each for <see cref="ServiceTime"/>, and the rest
/// wait in line. A server "10x slower" then serves a tenth of the requests per second, as a real one
/// with slower disks or CPUs does; a server whose work is only a delay would never queue, and no
/// balancer could do better or worse on it. Every answer names the backend in `X-Backend`.
/// With <see cref="FinishesAbandoned"/> a request whose client went away is still served in its turn, as by a server
/// that cannot tell (a thread per request fed from the kernel's accept queue): its queue then holds dead work, and
/// once the wait passes the clients' patience every worker serves only requests nobody waits for any more.
/// </summary>
public sealed class LabBackend : IAsyncDisposable
{
    private LoopbackServer _server = null!;
    private readonly SemaphoreSlim _workers;
    private readonly CancellationTokenSource _stopping = new();
    private long _served;
    private long _serviceTicks;

    private LabBackend(string name, TimeSpan serviceTime, int workers, bool finishesAbandoned)
    {
        Name = name;
        FinishesAbandoned = finishesAbandoned;
        ServiceTime = serviceTime;
        Workers = workers;
        _workers = new SemaphoreSlim(workers, workers);
    }

    public string Name { get; }

    public TimeSpan ServiceTime { get; }

    public int Workers { get; }

    /// <summary>Serves requests whose client has gone away (see the class summary).</summary>
    public bool FinishesAbandoned { get; }

    public int Port => _server.Port;

    /// <summary>host:port, as a pool's backend address.</summary>
    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Requests served since start.</summary>
    public long Served => Interlocked.Read(ref _served);

    /// <summary>
    /// The mean time a worker really spent on a request: a timer wait on Linux ends on the next timer
    /// tick after the time asked, so 5 ms is often 6 to 10 ms on a busy machine. The report states both.
    /// </summary>
    public TimeSpan MeasuredServiceTime => Served == 0 ? ServiceTime : TimeSpan.FromTicks(Interlocked.Read(ref _serviceTicks) / Served);

    /// <summary>Requests per second this backend can serve at most: its workers over its measured service time.</summary>
    public double Capacity => Workers / MeasuredServiceTime.TotalSeconds;

    public static async Task<LabBackend> StartAsync(string name, TimeSpan serviceTime, int workers, CancellationToken cancellationToken = default,
        bool finishesAbandoned = false)
    {
        var backend = new LabBackend(name, serviceTime, workers, finishesAbandoned);
        backend._server = await LoopbackServer.StartAsync(backend.HandleAsync, 0, cancellationToken);
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync(); // abandoned work still queued would otherwise hold the server's shutdown
        await _server.DisposeAsync();
        _workers.Dispose();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var aborted = FinishesAbandoned ? _stopping.Token : context.RequestAborted;
        try
        {
            // SemaphoreSlim hands its async waiters the slot in arrival order: a FIFO queue before the workers.
            await _workers.WaitAsync(aborted);
            var begin = TimeProvider.System.GetTimestamp();
            try
            {
                await Task.Delay(ServiceTime, aborted);
            }
            finally
            {
                _workers.Release();
            }

            Interlocked.Add(ref _serviceTicks, TimeProvider.System.GetElapsedTime(begin).Ticks);
            Interlocked.Increment(ref _served);
            context.Response.ContentType = "text/plain; charset=utf-8";
            context.Response.Headers["X-Backend"] = Name;
            await context.Response.WriteAsync(Name + "\n", context.RequestAborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested || context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (the lab's run ended): nothing to answer.
        }
    }
}
