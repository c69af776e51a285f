using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using Fulcrum.L7.Tests.Tls;

namespace Fulcrum.L7.Tests.Hardening;

/// <summary>What an https listener does with bytes that are not a proper TLS handshake, and one split into tiny pieces.</summary>
public sealed class TlsGarbageTests : IDisposable
{
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    private async Task<(Backends, ProxyHarness)> StartAsync()
    {
        var backends = await Backends.StartAsync("a");
        var (cert, key) = _pki.Write(_pki.Issue(["a.test", "127.0.0.1"]), "a");
        var tls = new ListenerTlsConfig { Certificates = [new CertificateConfig { Cert = cert, Key = key }] };
        var proxy = await ProxyHarness.StartAsync(new FulcrumConfig
        {
            // A header-timeout under the 10 s handshake bound: the promised-but-never-sent record is cut at the shorter.
            Listeners = [HttpsListenerTests.Secure(tls, Configs.ToPool("app")) with { Limits = new HttpLimitsConfig { HeaderTimeout = TimeSpan.FromSeconds(2) } }],
            Pools = [Configs.Pool("app", backends.All)],
        });
        return (backends, proxy);
    }

    public static TheoryData<string> Garbage => ["random", "http", "record-header-only", "huge-record-length"];

    [Theory]
    [MemberData(nameof(Garbage))]
    public async Task NotAClientHello_IsClosed_AndTheListenerServesTheNextClient(string kind)
    {
        var (backends, proxy) = await StartAsync();
        await using var _ = backends;
        await using var __ = proxy;
        var endpoint = proxy.Plane.BoundEndpoints["web"];
        var bytes = kind switch
        {
            "random" => RandomBytes(4096),
            "http" => "GET / HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray(),
            // A handshake record header that promises a body and then nothing: the listener must not wait forever.
            "record-header-only" => new byte[] { 0x16, 0x03, 0x01, 0x00, 0x80 },
            _ => new byte[] { 0x16, 0x03, 0x01, 0xFF, 0xFF }.Concat(RandomBytes(1000)).ToArray(),
        };

        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(endpoint);
        await socket.SendAsync(bytes);
        if (kind == "record-header-only") socket.Shutdown(SocketShutdown.Send); // the client gives up sending
        var buffer = new byte[4096];
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None, deadline.Token) > 0)
            {
                // A TLS alert may come first; then the close.
            }
        }
        catch (SocketException)
        {
            // A reset is a close too.
        }

        Assert.False(deadline.IsCancellationRequested, $"{kind}: the listener held the connection open");
        using var client = HttpsListenerTests.HttpsClient(proxy);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/")).StatusCode);
    }

    [Fact]
    public async Task ClientHelloSplitIntoOneBytePackets_StillCompletesTheHandshake()
    {
        var (backends, proxy) = await StartAsync();
        await using var _ = backends;
        await using var __ = proxy;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(proxy.Plane.BoundEndpoints["web"]);
        await using var trickle = new OneByteWrites(new NetworkStream(socket, ownsSocket: false));
        await using var ssl = new SslStream(trickle);
        await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "a.test",
            RemoteCertificateValidationCallback = (_, _, _, _) => true,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        });

        await ssl.WriteAsync("GET / HTTP/1.1\r\nHost: a.test\r\nConnection: close\r\n\r\n"u8.ToArray());
        using var reader = new StreamReader(ssl);
        Assert.StartsWith("HTTP/1.1 200", await reader.ReadLineAsync());
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(42).NextBytes(bytes);
        return bytes;
    }

    // Every write leaves as one-byte sends, so each byte of the handshake is its own TCP segment (NoDelay).
    private sealed class OneByteWrites(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() => inner.Flush();
        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            for (var i = 0; i < count; i++) inner.Write(buffer, offset + i, 1);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < buffer.Length; i++) await inner.WriteAsync(buffer.Slice(i, 1), cancellationToken);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
