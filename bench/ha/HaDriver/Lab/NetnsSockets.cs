using System.Collections.Concurrent;
using System.Net.Sockets;

namespace Fulcrum.Bench.Ha.Lab;

/// <summary>
/// Sockets that live in another network namespace, made from this process. A socket belongs to the namespace of the
/// thread that created it, for good; so one dedicated thread enters the namespace (setns(2)) and does nothing but
/// create sockets, which the rest of the process then connects and uses as any other. The lab's client runs this way,
/// in-process, timed by the same clock as the faults it injects.
/// </summary>
public sealed class NetnsSockets : IDisposable
{
    private readonly BlockingCollection<TaskCompletionSource<Socket>> _requests = new();
    private readonly Thread _thread;

    public NetnsSockets(string networkNamespace)
    {
        Namespace = networkNamespace;
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _thread = new Thread(() => Serve(entered)) { IsBackground = true, Name = "netns " + networkNamespace };
        _thread.Start();
        entered.Task.GetAwaiter().GetResult();
    }

    public string Namespace { get; }

    /// <summary>A TCP socket in the namespace, not yet connected.</summary>
    public Task<Socket> CreateTcpAsync()
    {
        var request = new TaskCompletionSource<Socket>(TaskCreationOptions.RunContinuationsAsynchronously);
        _requests.Add(request);
        return request.Task;
    }

    /// <summary>
    /// An HttpClient whose every connection is made in the namespace; a keep-alive connection is reused for
    /// <paramref name="lifetime"/> at most (default: for ever).
    /// </summary>
    public HttpClient CreateHttpClient(TimeSpan timeout, bool keepAlive = true, TimeSpan? lifetime = null)
    {
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = keepAlive ? lifetime ?? Timeout.InfiniteTimeSpan : TimeSpan.Zero,
            // A connection attempt outlives the request that started it (it goes to the pool): bound it as the request
            // is, or a SYN sent to the old holder of an address waits out TCP's 1 s retransmission.
            ConnectTimeout = timeout,
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = await CreateTcpAsync();
                try
                {
                    socket.NoDelay = true;
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return new HttpClient(handler) { Timeout = timeout };
    }

    /// <summary>GET <paramref name="url"/> from inside the namespace; null when it cannot be reached.</summary>
    public async Task<string?> GetStringAsync(Uri url, TimeSpan timeout)
    {
        using var client = CreateHttpClient(timeout, keepAlive: false);
        try
        {
            return await client.GetStringAsync(url);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }

    public void Dispose()
    {
        _requests.CompleteAdding();
        _thread.Join();
        _requests.Dispose();
    }

    private void Serve(TaskCompletionSource entered)
    {
        try
        {
            using var handle = File.OpenHandle(Path.Combine("/var/run/netns", Namespace));
            Posix.EnterNetworkNamespace((int)handle.DangerousGetHandle());
            entered.SetResult();
        }
        catch (Exception e)
        {
            entered.SetException(e);
            return;
        }

        foreach (var request in _requests.GetConsumingEnumerable())
        {
            try
            {
                request.SetResult(new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp));
            }
            catch (SocketException e)
            {
                request.SetException(e);
            }
        }
    }
}
