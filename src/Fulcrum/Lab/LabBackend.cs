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
/// The service time may change while it runs (a neighbour takes the CPU, a cache goes cold); with
/// <see cref="ReportsLoad"/> every answer carries the backend's own utilization in ORCA's `endpoint-load-metrics`;
/// <see cref="KillAsync"/> and <see cref="RestartAsync"/> crash it and bring it back on the same port.
/// `GET /health` is answered at once, outside the workers, as a real health endpoint is.
/// </summary>
public sealed class LabBackend : IAsyncDisposable
{
    /// <summary>The header the backends report their load in (ORCA, as Envoy and gRPC read it).</summary>
    public const string LoadHeader = "endpoint-load-metrics";

    /// <summary>The window a load report covers: long enough to hold several requests, short enough to follow a change.</summary>
    public static readonly TimeSpan LoadWindow = TimeSpan.FromMilliseconds(250);

    private LoopbackServer? _server;
    private readonly SemaphoreSlim _workers;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _loadLock = new();
    private long _served;
    private long _serviceTicks;
    private long _askedTicks;
    private int _port;
    private long _windowStart = TimeProvider.System.GetTimestamp();
    private long _windowBusyTicks;
    private long _windowServed;
    private string _loadReport = "TEXT application_utilization=0.05";

    private LabBackend(string name, TimeSpan serviceTime, int workers, bool finishesAbandoned)
    {
        Name = name;
        FinishesAbandoned = finishesAbandoned;
        _askedTicks = serviceTime.Ticks;
        Workers = workers;
        _workers = new SemaphoreSlim(workers, workers);
    }

    public string Name { get; }

    /// <summary>The time a worker spends on one request; it may be changed while the backend runs.</summary>
    public TimeSpan ServiceTime
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _askedTicks));
        set => Interlocked.Exchange(ref _askedTicks, value.Ticks);
    }

    public int Workers { get; }

    /// <summary>The weight the lab's config gives this backend (1 is left out of the config).</summary>
    public int Weight { get; set; } = 1;

    /// <summary>Serves requests whose client has gone away (see the class summary).</summary>
    public bool FinishesAbandoned { get; }

    /// <summary>Adds `endpoint-load-metrics: TEXT application_utilization=U, rps_fractional=R` to every answer.</summary>
    public bool ReportsLoad { get; set; }

    /// <summary>False between <see cref="KillAsync"/> and <see cref="RestartAsync"/>.</summary>
    public bool Running => _server is not null;

    public int Port => _port;

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
        await backend.RestartAsync(cancellationToken);
        return backend;
    }

    /// <summary>Crashes the backend: its port refuses connections, and requests in it are cut without an answer.</summary>
    public async Task KillAsync()
    {
        if (Interlocked.Exchange(ref _server, null) is { } server) await server.KillAsync();
    }

    /// <summary>Starts the backend (again, after <see cref="KillAsync"/>) on its port.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        if (_server is not null) throw new InvalidOperationException($"{Name} is running");
        _server = await LoopbackServer.StartAsync(HandleAsync, _port, cancellationToken);
        _port = _server.Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync(); // abandoned work still queued would otherwise hold the server's shutdown
        if (Interlocked.Exchange(ref _server, null) is { } server) await server.DisposeAsync();
        _workers.Dispose();
        _stopping.Dispose();
    }

    private async Task HandleAsync(HttpContext context)
    {
        context.Response.Headers["X-Backend"] = Name;
        if (context.Request.Path == "/health")
        {
            await context.Response.WriteAsync("ok\n", context.RequestAborted);
            return;
        }

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

            var busy = TimeProvider.System.GetElapsedTime(begin).Ticks;
            Interlocked.Add(ref _serviceTicks, busy);
            Interlocked.Increment(ref _served);
            context.Response.ContentType = "text/plain; charset=utf-8";
            if (ReportsLoad) context.Response.Headers[LoadHeader] = LoadReport(busy);
            await context.Response.WriteAsync(Name + "\n", context.RequestAborted);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested || context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (the lab's run ended): nothing to answer.
        }
    }

    // The utilization over the last window: time the workers were busy over the time they had (ORCA's
    // application_utilization), and the requests served per second in it (rps_fractional).
    private string LoadReport(long busyTicks)
    {
        lock (_loadLock)
        {
            _windowBusyTicks += busyTicks;
            _windowServed++;
            var now = TimeProvider.System.GetTimestamp();
            var elapsed = TimeProvider.System.GetElapsedTime(_windowStart, now);
            if (elapsed >= LoadWindow)
            {
                var utilization = Math.Clamp(_windowBusyTicks / (double)(elapsed.Ticks * Workers), 0.01, 1);
                var rate = _windowServed / elapsed.TotalSeconds;
                _loadReport = string.Create(CultureInfo.InvariantCulture, $"TEXT application_utilization={utilization:0.###}, rps_fractional={rate:0.#}");
                _windowStart = now;
                _windowBusyTicks = 0;
                _windowServed = 0;
            }

            return _loadReport;
        }
    }
}
