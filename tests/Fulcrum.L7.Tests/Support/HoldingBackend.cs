using Fulcrum.TestSupport.Http;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Tests.Support;

/// <summary>
/// A Kestrel backend that hangs: every request waits until the test releases them all, so requests pile up in flight
/// exactly as far as the balancer lets them. Counts the requests that reached it.
/// </summary>
public sealed class HoldingBackend : IAsyncDisposable
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HandlerBackend _backend = null!;
    private int _arrived;

    public string Address => _backend.Address;

    /// <summary>Requests that reached the backend so far.</summary>
    public int Arrived => Volatile.Read(ref _arrived);

    public static async Task<HoldingBackend> StartAsync()
    {
        var self = new HoldingBackend();
        self._backend = await HandlerBackend.StartAsync(async context =>
        {
            Interlocked.Increment(ref self._arrived);
            await self._release.Task.WaitAsync(context.RequestAborted);
            await context.Response.WriteAsync("released");
        });
        return self;
    }

    /// <summary>Lets every held request, and every later one, answer.</summary>
    public void Release() => _release.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        Release();
        await _backend.DisposeAsync();
    }
}
