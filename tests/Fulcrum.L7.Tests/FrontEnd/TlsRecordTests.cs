using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.L7.Tests.Support;
using Fulcrum.L7.Tests.Tls;
using Fulcrum.TestSupport.Http;
using static Fulcrum.L7.Tests.Support.Configs;

namespace Fulcrum.L7.Tests.FrontEnd;

/// <summary>
/// TLS records on the own HTTP/1.1 front end: on io_uring a record's write completes before its send does (the
/// send-behind stream), so what the client receives must still be every record, whole and in order, and the last one
/// before the connection closes; the request side must take records however the bytes are cut.
/// </summary>
public sealed class TlsRecordTests : IAsyncLifetime
{
    private readonly TestPki _pki = new();
    private ContentBackend _backend = null!;
    private ProxyHarness _proxy = null!;

    public async Task InitializeAsync()
    {
        var (cert, key) = _pki.Write(_pki.Issue(["app.test"]), "app");
        _backend = await ContentBackend.StartAsync();
        var tls = new ListenerTlsConfig { Alpn = ["http/1.1"], Certificates = [new CertificateConfig { Cert = cert, Key = key }] };
        var listener = HttpsListenerTests.Secure(tls, ToPool("app")) with { FrontEnd = HttpFrontEnd.Fulcrum };
        var pool = new PoolConfig { Name = "app", Backends = [new BackendConfig { Address = _backend.Address }] };
        _proxy = await ProxyHarness.StartAsync(new FulcrumConfig { Listeners = [listener], Pools = [pool] });
    }

    public async Task DisposeAsync()
    {
        await _proxy.DisposeAsync();
        await _backend.DisposeAsync();
        _pki.Dispose();
    }

    [Fact]
    public async Task LargeResponse_OverTls_ArrivesWholeAndInOrder()
    {
        using var client = HttpsListenerTests.HttpsClient(_proxy);

        var streamed = await client.GetByteArrayAsync("/stream?size=" + (4 << 20));
        var sized = await client.GetByteArrayAsync("/text?size=300000");

        var block = ContentBackend.Text(64 * 1024);
        Assert.Equal(4 << 20, streamed.Length);
        for (var at = 0; at < streamed.Length; at += block.Length) Assert.True(streamed.AsSpan(at, block.Length).SequenceEqual(block), $"bytes from {at} differ");
        Assert.Equal(ContentBackend.Text(300000), sized);
    }

    [Fact]
    public async Task ManySmallResponses_OnOneTlsConnection_ComeBackInOrder()
    {
        await using var connection = await TlsConnection.OpenAsync(_proxy, trickle: false);
        for (var i = 1; i <= 50; i++)
        {
            var size = 100 + i * 37;
            await connection.SendAsync($"GET /text?size={size} HTTP/1.1\r\nHost: app.test\r\n\r\n", oneRecordPerByte: false);
            Assert.Equal(ContentBackend.Text(size), await connection.ReadResponseBodyAsync());
        }
    }

    [Fact]
    public async Task ClientSendingOneByteAtATime_OverTls_IsServed()
    {
        // Every byte of the handshake its own TCP segment, then every byte of the request its own TLS record.
        await using var connection = await TlsConnection.OpenAsync(_proxy, trickle: true);
        for (var i = 0; i < 2; i++)
        {
            await connection.SendAsync("GET /text?size=5000 HTTP/1.1\r\nHost: app.test\r\n\r\n", oneRecordPerByte: true);
            Assert.Equal(ContentBackend.Text(5000), await connection.ReadResponseBodyAsync());
        }
    }

    [Fact]
    public async Task ConnectionClose_OverTls_SendsTheWholeResponseBeforeClosing()
    {
        await using var connection = await TlsConnection.OpenAsync(_proxy, trickle: false);

        await connection.SendAsync("GET /text?size=200000 HTTP/1.1\r\nHost: app.test\r\nConnection: close\r\n\r\n", oneRecordPerByte: false);
        var all = await connection.ReadToEndAsync();

        var text = Encoding.Latin1.GetString(all);
        var headEnd = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 ", text);
        Assert.Contains("Connection: close", text[..headEnd], StringComparison.OrdinalIgnoreCase);
        Assert.Equal(ContentBackend.Text(200000), all.AsSpan(headEnd + 4).ToArray());
    }

    /// <summary>A raw TLS client connection, optionally over a socket that sends one byte per segment.</summary>
    private sealed class TlsConnection : IAsyncDisposable
    {
        private readonly Socket _socket;
        private readonly SslStream _tls;
        private readonly byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        private TlsConnection(Socket socket, SslStream tls)
        {
            _socket = socket;
            _tls = tls;
        }

        public static async Task<TlsConnection> OpenAsync(ProxyHarness proxy, bool trickle)
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            await socket.ConnectAsync(proxy.Plane.BoundEndpoints["web"]);
            Stream network = new NetworkStream(socket, ownsSocket: false);
            if (trickle) network = new TrickleStream(network);
            var tls = new SslStream(network, leaveInnerStreamOpen: false, static (_, _, _, _) => true);
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "app.test",
                ApplicationProtocols = [SslApplicationProtocol.Http11],
            }, deadline.Token);
            return new TlsConnection(socket, tls);
        }

        public async Task SendAsync(string request, bool oneRecordPerByte)
        {
            var bytes = Encoding.ASCII.GetBytes(request);
            if (!oneRecordPerByte)
            {
                await _tls.WriteAsync(bytes);
                return;
            }

            for (var i = 0; i < bytes.Length; i++)
            {
                await _tls.WriteAsync(bytes.AsMemory(i, 1));
                await _tls.FlushAsync();
            }
        }

        /// <summary>The next response's body, by its Content-Length.</summary>
        public async Task<byte[]> ReadResponseBodyAsync()
        {
            int headEnd;
            while ((headEnd = _buffer.AsSpan(_start, _end - _start).IndexOf("\r\n\r\n"u8)) < 0) await FillAsync();
            var head = Encoding.Latin1.GetString(_buffer, _start, headEnd);
            Assert.StartsWith("HTTP/1.1 200 ", head);
            var line = head.Split("\r\n").Single(l => l.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
            var length = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
            _start += headEnd + 4;
            while (_end - _start < length) await FillAsync();
            var body = _buffer.AsSpan(_start, length).ToArray();
            _start += length;
            return body;
        }

        public async Task<byte[]> ReadToEndAsync()
        {
            using var all = new MemoryStream();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            int read;
            while ((read = await _tls.ReadAsync(_buffer, deadline.Token)) > 0) all.Write(_buffer, 0, read);
            return all.ToArray();
        }

        private async Task FillAsync()
        {
            if (_start == _end) _start = _end = 0;
            if (_end == _buffer.Length)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }

            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            var read = await _tls.ReadAsync(_buffer.AsMemory(_end), deadline.Token);
            if (read == 0) throw new IOException("the proxy closed the connection");
            _end += read;
        }

        public async ValueTask DisposeAsync()
        {
            await _tls.DisposeAsync();
            _socket.Dispose();
        }
    }

    /// <summary>Writes one byte per call to the stream under it (a socket with NoDelay: one byte per segment).</summary>
    private sealed class TrickleStream(Stream inner) : Stream
    {
        public override bool CanRead => true;
        public override bool CanWrite => true;
        public override bool CanSeek => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => inner.ReadAsync(buffer, cancellationToken);

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            inner.ReadAsync(buffer, offset, count, cancellationToken);

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < buffer.Length; i++) await inner.WriteAsync(buffer.Slice(i, 1), cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override void Write(byte[] buffer, int offset, int count)
        {
            for (var i = 0; i < count; i++) inner.Write(buffer, offset + i, 1);
        }

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) inner.Dispose();
            base.Dispose(disposing);
        }
    }
}
