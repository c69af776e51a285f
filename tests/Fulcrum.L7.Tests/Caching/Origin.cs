using Fulcrum.TestSupport.Http;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Tests.Caching;

/// <summary>
/// A real Kestrel origin behind a cached route: a test sets how it answers (<see cref="Handler"/>) and reads how many
/// requests reached it and what the last one carried, which is what a cache test asserts on.
/// </summary>
internal sealed class Origin : IAsyncDisposable
{
    private HandlerBackend _http = null!;
    private int _requests;

    /// <summary>How the origin answers; by default 200 "v1" with max-age=60.</summary>
    public Func<HttpContext, Task> Handler { get; set; } = static context =>
    {
        context.Response.Headers.CacheControl = "max-age=60";
        return context.Response.WriteAsync("v1");
    };

    public int Requests => Volatile.Read(ref _requests);
    public IHeaderDictionary? LastRequestHeaders { get; private set; }
    public string Address => _http.Address;

    public static async Task<Origin> StartAsync()
    {
        var origin = new Origin();
        origin._http = await HandlerBackend.StartAsync(origin.HandleAsync);
        return origin;
    }

    private Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        LastRequestHeaders = new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value));
        return Handler(context);
    }

    public Task KillAsync() => _http.KillAsync();

    public ValueTask DisposeAsync() => _http.DisposeAsync();
}
