using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.TestSupport.Http;

/// <summary>
/// A real Kestrel backend on 127.0.0.1:0 for tests. It answers with its name; `/health` says ok;
/// `?delay=MS` waits, `?status=CODE` sets the status; `/echo` (and below it) returns the request as JSON;
/// `/hold` waits until <see cref="ReleaseHeld"/>; `/ws` is a WebSocket echo.
/// </summary>
public sealed class TestBackend : IAsyncDisposable
{
    private HandlerBackend? _http;
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _requests;
    private int _inFlight;

    private TestBackend(string name) => Name = name;

    public string Name { get; }
    public int Port { get; private set; }
    /// <summary>host:port, as a backend address in a pool config.</summary>
    public string Address => _http?.Address ?? $"127.0.0.1:{Port}";
    /// <summary>Requests received (not counting /health).</summary>
    public int Requests => Volatile.Read(ref _requests);
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>On 127.0.0.1 and a port the OS chooses, unless told another loopback <paramref name="host"/> and <paramref name="port"/>.</summary>
    public static async Task<TestBackend> StartAsync(string name, System.Net.IPAddress? host = null, int port = 0)
    {
        var backend = new TestBackend(name);
        backend._http = await HandlerBackend.StartAsync(backend.HandleAsync, port, app => app.UseWebSockets(), host);
        backend.Port = backend._http.Port;
        return backend;
    }

    /// <summary>Lets every request waiting in /hold answer.</summary>
    public void ReleaseHeld() => Interlocked.Exchange(ref _release, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    /// <summary>Dies like a crashed process: stops listening and aborts every open connection at once.</summary>
    public Task KillAsync() => _http!.KillAsync();

    public async ValueTask DisposeAsync()
    {
        ReleaseHeld();
        await KillAsync();
        await _http!.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path == "/health")
        {
            await context.Response.WriteAsync("ok");
            return;
        }

        Interlocked.Increment(ref _requests);
        Interlocked.Increment(ref _inFlight);
        try
        {
            if (request.Path == "/ws")
            {
                await EchoWebSocketAsync(context);
                return;
            }

            if (request.Path == "/hold")
            {
                await _release.Task.WaitAsync(context.RequestAborted);
            }

            if (int.TryParse(request.Query["delay"], out var delay))
            {
                await Task.Delay(delay, context.RequestAborted);
            }

            if (int.TryParse(request.Query["status"], out var status))
            {
                context.Response.StatusCode = status;
            }

            context.Response.Headers["X-Backend"] = Name;
            // `?read-body`: take the whole request body before answering. Otherwise the answer may end the exchange
            // while the proxy is still forwarding the body, and a test that counts the forwarded bytes races it.
            if (request.Query.ContainsKey("read-body")) await request.Body.CopyToAsync(Stream.Null, context.RequestAborted);
            if (request.Path.StartsWithSegments("/echo"))
            {
                await context.Response.WriteAsJsonAsync(Echo.From(context, Name));
                return;
            }

            // With a Content-Length, as most servers send small bodies (the proxy counts bytes from it).
            var body = System.Text.Encoding.UTF8.GetBytes(Name);
            context.Response.ContentLength = body.Length;
            await context.Response.Body.WriteAsync(body, context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private static async Task EchoWebSocketAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = 400;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var buffer = new byte[4096];
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, context.RequestAborted);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "bye", context.RequestAborted);
                return;
            }

            await socket.SendAsync(buffer.AsMemory(0, result.Count), result.MessageType, result.EndOfMessage, context.RequestAborted);
        }
    }

    /// <summary>What /echo returns.</summary>
    public sealed record Echo(string Backend, string Method, string Path, string Query, Dictionary<string, string> Headers, int ClientPort)
    {
        public static Echo From(HttpContext context, string backend) => new(
            backend,
            context.Request.Method,
            context.Request.Path.Value ?? "",
            context.Request.QueryString.Value ?? "",
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            context.Connection.RemotePort);

        public static Echo Parse(string json) =>
            JsonSerializer.Deserialize<Echo>(json, new JsonSerializerOptions(JsonSerializerDefaults.Web))!;

        public string? Header(string name) =>
            Headers.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value;
    }
}
