using System.Net;
using System.Text;

namespace Fulcrum.Bench.Soak;

/// <summary>
/// Paced HTTP requests on one channel (http, https over HTTP/1.1, https over HTTP/2): GETs, and every fifth request a
/// POST with a 64-byte body. A GET must come back 200 with a backend's name, a POST 200 with "NAME:64".
/// </summary>
public sealed class HttpLoad : IDisposable
{
    private const int PostEvery = 5;
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(20);
    private static readonly byte[] PostBody = Encoding.ASCII.GetBytes(new string('p', 64));

    private readonly HttpClient _client;
    private readonly Channel _channel;
    private readonly Version _version;
    private readonly Tally _tally;
    private readonly Func<TimeSpan> _clock;

    public HttpLoad(Channel channel, int port, CertificateFiles certificates, Tally tally, Func<TimeSpan> clock)
    {
        _channel = channel;
        _tally = tally;
        _clock = clock;
        _version = channel == Channel.Https2 ? HttpVersion.Version20 : HttpVersion.Version11;
        var handler = new SocketsHttpHandler
        {
            // https connections end after a few seconds, so handshakes keep happening and meet rotated certificates.
            PooledConnectionLifetime = channel == Channel.Http ? TimeSpan.FromSeconds(30) : TimeSpan.FromSeconds(5),
            ConnectTimeout = TimeSpan.FromSeconds(10),
        };
        handler.SslOptions.RemoteCertificateValidationCallback = (_, certificate, _, _) => certificates.Accept(certificate);
        var scheme = channel == Channel.Http ? "http" : "https";
        _client = new HttpClient(handler)
        {
            BaseAddress = new Uri($"{scheme}://127.0.0.1:{port}/"),
            Timeout = RequestTimeout,
        };
    }

    /// <summary>One worker: a request every <paramref name="period"/> until <paramref name="stop"/>; the last one finishes.</summary>
    public async Task RunAsync(TimeSpan period, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(period);
        var n = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                await OneAsync(++n % PostEvery == 0);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The load is over.
        }
    }

    public void Dispose() => _client.Dispose();

    private async Task OneAsync(bool post)
    {
        var started = _clock();
        try
        {
            using var request = new HttpRequestMessage(post ? HttpMethod.Post : HttpMethod.Get, post ? "post" : "get");
            // A request made by hand does not take the client's DefaultRequestVersion: set it, or h2 would be HTTP/1.1.
            request.Version = _version;
            request.VersionPolicy = HttpVersionPolicy.RequestVersionExact;
            if (post) request.Content = new ByteArrayContent(PostBody);
            using var response = await _client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var good = response.StatusCode == HttpStatusCode.OK
                && response.Version == _version
                && body.StartsWith("web-", StringComparison.Ordinal)
                && (!post || body.EndsWith($":{PostBody.Length}", StringComparison.Ordinal));
            if (good) _tally.Succeeded(_channel);
            else _tally.Failed(_channel, !post, started, $"{(post ? "POST" : "GET")} HTTP/{response.Version} {(int)response.StatusCode} '{Truncate(body)}'");
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            _tally.Failed(_channel, !post, started, $"{(post ? "POST" : "GET")} {e.GetType().Name}: {Innermost(e)}");
        }
    }

    private static string Truncate(string s) => s.Length <= 80 ? s : s[..80] + "...";

    private static string Innermost(Exception e)
    {
        var message = e.Message;
        for (var inner = e.InnerException; inner is not null; inner = inner.InnerException) message += " <- " + inner.Message;
        return message;
    }
}
