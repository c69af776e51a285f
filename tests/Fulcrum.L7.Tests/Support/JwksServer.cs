using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Tests.Support;

/// <summary>
/// A real Kestrel on 127.0.0.1 serving a JWK Set that the test rotates or breaks (a 500, or a body that is no key set),
/// and counting the fetches, as an identity provider's jwks_uri would be fetched.
/// </summary>
public sealed class JwksServer : IAsyncDisposable
{
    private HandlerBackend? _http;
    private volatile string _jwks;
    private volatile int _status = 200;
    private int _fetches;

    private JwksServer(string jwks) => _jwks = jwks;

    public string Url => $"http://{_http!.Address}/.well-known/jwks.json";
    public int Fetches => Volatile.Read(ref _fetches);

    public static async Task<JwksServer> StartAsync(string jwks)
    {
        var server = new JwksServer(jwks);
        server._http = await HandlerBackend.StartAsync(server.HandleAsync);
        return server;
    }

    /// <summary>Serves <paramref name="jwks"/> from now on.</summary>
    public void Publish(string jwks)
    {
        _jwks = jwks;
        _status = 200;
    }

    /// <summary>Answers every fetch with <paramref name="status"/> and a body that is no key set.</summary>
    public void Fail(int status) => _status = status;

    public ValueTask DisposeAsync() => _http!.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _fetches);
        context.Response.StatusCode = _status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(_status == 200 ? _jwks : "{\"error\":\"down\"}");
    }
}
