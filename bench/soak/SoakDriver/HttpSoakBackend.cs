using System.Text;
using Fulcrum.TestSupport.Http;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.Bench.Soak;

/// <summary>
/// A Kestrel backend of the `web` pool: GET answers its name, POST answers "NAME:LENGTH" for the body it read, /health
/// says ok. Each answer is one write with a Content-Length, so a kill lands before a response or after it, never in
/// the middle of one (which no proxy could retry).
/// </summary>
public sealed class HttpSoakBackend : ISoakBackend
{
    private HandlerBackend? _server;

    private HttpSoakBackend(string name, int port)
    {
        Name = name;
        Port = port;
    }

    public string Name { get; }
    public int Port { get; }
    public Channel[] Channels { get; } = [Channel.Http, Channel.Https1, Channel.Https2];

    public static async Task<HttpSoakBackend> StartAsync(string name, int port)
    {
        var backend = new HttpSoakBackend(name, port);
        await backend.RestartAsync();
        return backend;
    }

    public async Task KillAsync()
    {
        if (_server is not { } server) return;
        _server = null;
        await server.KillAsync();
        await server.DisposeAsync();
    }

    public async Task RestartAsync() => _server = await Retry.BindAsync(() => HandlerBackend.StartAsync(HandleAsync, Port));

    public async ValueTask DisposeAsync() => await KillAsync();

    private async Task HandleAsync(HttpContext context)
    {
        string answer;
        if (context.Request.Path == "/health")
        {
            answer = "ok";
        }
        else if (HttpMethods.IsPost(context.Request.Method))
        {
            var length = 0L;
            var buffer = new byte[4096];
            int n;
            while ((n = await context.Request.Body.ReadAsync(buffer, context.RequestAborted)) > 0) length += n;
            answer = $"{Name}:{length}";
        }
        else
        {
            answer = Name;
        }

        var body = Encoding.ASCII.GetBytes(answer);
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }
}
