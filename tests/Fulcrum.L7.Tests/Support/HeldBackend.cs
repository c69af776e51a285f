using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Tests.Support;

/// <summary>
/// A healthy backend that holds each answer until the test releases it, so a request to it is surely in flight while
/// a fault happens on another backend: the fault must not reach it. Its answer is a body of <see cref="BodyLength"/>
/// bytes in a known pattern, so a byte lost or mixed in from another answer shows.
/// </summary>
public sealed class HeldBackend : IAsyncDisposable
{
    public const int BodyLength = 64 * 1024;

    private readonly TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly RawBackend _backend;

    public HeldBackend()
    {
        _backend = RawBackend.Start(async connection =>
        {
            while (await connection.ReadRequestAsync() is not null)
            {
                _arrived.TrySetResult();
                await _release.Task;
                await connection.WriteAsync($"HTTP/1.1 200 OK\r\nContent-Length: {BodyLength}\r\n\r\n");
                await connection.WriteAsync(Body);
            }
        });
    }

    /// <summary>The answer's body.</summary>
    public static byte[] Body { get; } = [.. Enumerable.Range(0, BodyLength).Select(i => (byte)('a' + i % 26))];

    /// <summary>Completes when the first request has reached the backend (and is being held).</summary>
    public Task Arrived => _arrived.Task;

    public PoolConfig Pool(string name) => _backend.Pool(name);

    /// <summary>Lets the held answers (and every later one) go.</summary>
    public void Release() => _release.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        Release();
        await _backend.DisposeAsync();
    }
}
