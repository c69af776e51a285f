using System.Net;
using System.Net.Sockets;

namespace Fulcrum.Bench.Upgrade;

/// <summary>
/// Paced GETs from one client whose connections stay open (keep-alive; for HTTP/2 one connection), so the upgrade
/// meets connections the old process accepted: each answer must be 200 from a web backend. A connection refused is
/// counted apart from other failures.
/// </summary>
public sealed class KeepAliveLoad : IDisposable
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);

    private readonly HttpClient _client;
    private readonly Channel _channel;
    private readonly Version _version;
    private readonly Tally _tally;

    public KeepAliveLoad(Channel channel, IPEndPoint endpoint, Tally tally)
    {
        _channel = channel;
        _tally = tally;
        _version = channel == Channel.Https2 ? HttpVersion.Version20 : HttpVersion.Version11;
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        // The listener's certificate is a self-signed one the driver made: this load tests the upgrade, not the chain.
        handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
        var scheme = channel == Channel.Http ? "http" : "https";
        _client = new HttpClient(handler) { BaseAddress = new Uri($"{scheme}://{endpoint}/"), Timeout = RequestTimeout };
    }

    public async Task RunAsync(TimeSpan period, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(stop)) await OneAsync();
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The load is over; the request in flight finished.
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task OneAsync()
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "upgrade") { Version = _version, VersionPolicy = HttpVersionPolicy.RequestVersionExact };
            using var response = await _client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            if (response.StatusCode == HttpStatusCode.OK && response.Version == _version && body.StartsWith("web-", StringComparison.Ordinal)) _tally.Succeeded(_channel);
            else _tally.Fail(_channel, $"HTTP/{response.Version} {(int)response.StatusCode} '{body}'");
        }
        catch (HttpRequestException e) when (Refused(e))
        {
            _tally.Refuse(_channel, e.Message);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            _tally.Fail(_channel, Describe(e));
        }
    }

    private static bool Refused(Exception e) =>
        e.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused };

    internal static string Describe(Exception e)
    {
        var message = $"{e.GetType().Name}: {e.Message}";
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException) message += $" <- {inner.GetType().Name}: {inner.Message}";
        return message;
    }
}
