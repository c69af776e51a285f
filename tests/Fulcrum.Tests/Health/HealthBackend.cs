using System.Globalization;
using Fulcrum.TestSupport.Http;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.Tests.Health;

/// <summary>
/// A real Kestrel backend that a test can make sick (503 to everything), fail only its /health, kill (stop at
/// once, connections cut) and restart on the same port. `?delay=MS` holds a request. Answers its name with an
/// X-Backend header.
/// </summary>
internal sealed class HealthBackend : IAsyncDisposable
{
    private HandlerBackend? _http;
    private int _requests;
    private int _active;
    private volatile bool _sick;
    private volatile bool _healthFails;
    private int _healthRequests;

    private HealthBackend(string name) => Name = name;

    public string Name { get; }
    public int Port { get; private set; }
    public string Address => $"127.0.0.1:{Port.ToString(CultureInfo.InvariantCulture)}";
    /// <summary>Requests received, /health excluded.</summary>
    public int Requests => Volatile.Read(ref _requests);
    public int Active => Volatile.Read(ref _active);
    public bool Sick { get => _sick; set => _sick = value; }
    public bool HealthFails { get => _healthFails; set => _healthFails = value; }
    /// <summary>The Host header of the last /health request.</summary>
    public string? LastHealthHost { get; private set; }
    public int HealthRequests => Volatile.Read(ref _healthRequests);

    public static async Task<HealthBackend> StartAsync(string name)
    {
        var backend = new HealthBackend(name);
        await backend.RestartAsync();
        return backend;
    }

    /// <summary>Starts (again) on the same port, or a free one the first time.</summary>
    public async Task RestartAsync()
    {
        var http = await HandlerBackend.StartAsync(HandleAsync, Port);
        Port = http.Port;
        _http = http;
    }

    /// <summary>Stops at once: the listener closes and open connections are cut, as when a process dies.</summary>
    public async Task KillAsync()
    {
        var http = Interlocked.Exchange(ref _http, null);
        if (http is null) return;
        await http.KillAsync();
        await http.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        response.Headers["X-Backend"] = Name;
        if (context.Request.Path == "/health")
        {
            LastHealthHost = context.Request.Host.Value;
            Interlocked.Increment(ref _healthRequests);
            response.StatusCode = _healthFails || _sick ? 503 : 200;
            await response.WriteAsync(_healthFails ? "unwell" : "ok");
            return;
        }

        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _active);
        try
        {
            if (int.TryParse(context.Request.Query["delay"], CultureInfo.InvariantCulture, out var delay) && delay > 0)
            {
                await Task.Delay(Math.Min(delay, 60_000), context.RequestAborted);
            }

            if (_sick) response.StatusCode = 503;
            await response.WriteAsync(Name);
        }
        catch (OperationCanceledException)
        {
            // The client (the balancer) went away.
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    public ValueTask DisposeAsync() => new(KillAsync());
}
