using System.Buffers;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.IO;
using Fulcrum.Core.IO.Uring;
using Fulcrum.Core.Proxy;
using Fulcrum.L7.Diagnostics;
using Fulcrum.L7.Uring;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// One client connection of Fulcrum's HTTP/1.1 front end: PROXY header (accept-proxy), TLS, then request after
/// request: read and parse a head, run the listener's handler on the connection's one <see cref="Http1Exchange"/>,
/// end the response, and go on while keep-alive allows. Socket calls complete on the epoll threads and the loop runs
/// there (docs/design.md, "Event-loop I/O"); no thread-pool hop per request. Between requests the read buffer goes
/// back to the pool and a zero-byte read waits for the next one, so an idle connection holds no buffer. With an
/// io_uring loop the socket is a <see cref="UringStream"/> on that loop instead, and the requests run on its thread.
/// </summary>
internal sealed class Http1Connection : IUringWork
{
    private const int InitialBuffer = 4096;
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);
    private static readonly SslApplicationProtocol Http11 = SslApplicationProtocol.Http11;

    private readonly Http1FrontEnd _frontEnd;
    private readonly Socket _socket;
    private readonly UringLoop? _loop;
    private UringStream? _uring;
    private SendBehindStream? _sendBehind;
    private readonly CancellationTokenSource _aborted = new();
    private readonly ConnectionDeadline _timeout;
    private readonly Http1RequestHead _head = new();
    private readonly Http1Exchange _exchange;
    private readonly Http1RequestBody _body;
    private Stream _stream = null!;
    private SslStream? _tls;
    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private IPEndPoint? _peer;
    private Http2.Http2Connection? _http2;
    private volatile bool _closeRequested;
    private volatile bool _idle;
    private bool _served;

    /// <param name="loop">The io_uring loop to run on; null: .NET's sockets.</param>
    public Http1Connection(Http1FrontEnd frontEnd, Socket socket, UringLoop? loop = null)
    {
        _frontEnd = frontEnd;
        _socket = socket;
        _loop = loop;
        _timeout = new ConnectionDeadline(frontEnd.Time);
        _exchange = new Http1Exchange(this);
        _body = new Http1RequestBody(this);
        Response = new Http1Response(this);
    }

    public Http1Response Response { get; }
    public TimeProvider Time => _frontEnd.Time;
    public bool IsHttps => _tls is not null;
    public X509Certificate2? ClientCertificate { get; private set; }
    public SslProtocols? TlsProtocol => _tls?.SslProtocol;
    public CancellationToken Aborted => _aborted.Token;
    /// <summary>The client's address: the socket's peer, or the source a PROXY header named.</summary>
    public IPEndPoint? Peer => _peer;
    /// <summary>The listener is closing: this response says `Connection: close`.</summary>
    public bool Closing => _closeRequested || _frontEnd.Closing;
    public int Buffered => _end - _start;
    public ReadOnlySpan<byte> BufferedSpan => _buffer.AsSpan(_start, _end - _start);

    /// <summary>
    /// Starts <see cref="RunAsync"/> on the connection's io_uring loop (from the ring that accepted it): a call that
    /// completes before its caller awaits it continues on the caller's thread, so the connection must begin on its
    /// loop for its requests, and their backend connections, to stay there.
    /// </summary>
    public void Run(int what) => _ = RunAsync();

    public async Task RunAsync()
    {
        var config = _frontEnd.Config;
        try
        {
            _socket.NoDelay = true;
            _peer = _socket.RemoteEndPoint as IPEndPoint;
            _stream = _loop is null ? new NetworkStream(_socket, ownsSocket: false) : _uring = UringStream.Attach(_loop, _socket);
            if (config.AcceptProxy && !await ReadProxyHeaderAsync(config)) return;
            if (config.Protocol == ListenerProtocol.Https && !await HandshakeAsync(config)) return;
            if (_tls?.NegotiatedApplicationProtocol == SslApplicationProtocol.Http2 || config.Protocol == ListenerProtocol.Http && config.H2c && await PrefaceAsync())
            {
                await RunHttp2Async();
                return;
            }

            while (await ReadHeadAsync())
            {
                if (!await ServeAsync()) break;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException or AuthenticationException)
        {
            Log.ConnectionFailed(_frontEnd.Logger, config.Name, _peer?.ToString() ?? "?", e);
        }
        finally
        {
            if (_sendBehind is not null) await _sendBehind.DrainAsync(); // the last record leaves before FIN
            if (!_aborted.IsCancellationRequested) await LingerAsync();
            _aborted.Cancel();
            try
            {
                if (_tls is not null) await _tls.DisposeAsync();
            }
            catch (Exception e) when (e is IOException or ObjectDisposedException)
            {
                // The peer went first.
            }

            // The io_uring stream closes the socket once the kernel has given back its operations.
            if (_uring is not null) _uring.Dispose();
            else _socket.Dispose();
            ReturnBuffer();
            Response.Release();
            _timeout.Dispose();
            _frontEnd.Closed(this);
        }
    }

    /// <summary>Closes the connection now if it waits for a request; a busy one closes after its response.</summary>
    public void RequestClose(bool evenUnserved)
    {
        if (_http2 is { } http2)
        {
            http2.RequestClose();
            return;
        }

        if (!_served && !evenUnserved) return;
        _closeRequested = true;
        if (_idle) CancelTimeout();
    }

    /// <summary>
    /// After a takeover: HTTP/2 gets GOAWAY now, so an idle h2 connection closes at once instead of at its keep-alive
    /// timeout, as on a Kestrel listener (GOAWAY names the last stream taken, so the client loses nothing). HTTP/1.1 waits
    /// for its next response, which says `Connection: close`: closing it idle could cut a request already on the wire.
    /// </summary>
    public void CloseGently() => _http2?.RequestClose();

    /// <summary>Cuts the connection: the handler's token fires and the socket closes under any pending read or write.</summary>
    public void Abort()
    {
        try
        {
            _aborted.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }

        _http2?.Abort();

        if (_uring is not null) _uring.Abort();
        else _socket.Dispose();
    }

    private void CancelTimeout() => _timeout.Cancel();

    private async ValueTask<bool> HandshakeAsync(ListenerConfig config)
    {
        if (_frontEnd.Tls is not { } tls) return false;
        // On a ring, records go out through a send-behind stream: a response's write completes at once.
        var under = _uring is null ? _stream : _sendBehind = new SendBehindStream(_uring);
        if (Buffered > 0)
        {
            // The ClientHello began in the same read as the PROXY header: the handshake reads those bytes first.
            under = new PrefixedStream(BufferedSpan.ToArray(), under);
            _start = _end;
        }

        var ssl = new SslStream(under, leaveInnerStreamOpen: false);
        // Kestrel's HandshakeTimeout (10 s) where header-timeout is longer: a record header that promises 64 KiB and
        // never sends it must not hold the connection for the whole header-timeout.
        _timeout.Set(config.Limits.HeaderTimeout < HandshakeTimeout ? config.Limits.HeaderTimeout : HandshakeTimeout);
        await ssl.AuthenticateAsServerAsync(static (_, hello, state, _) => ValueTask.FromResult(((Fulcrum.L7.Tls.ListenerTls)state!).OptionsFor(hello.ServerName)),
            tls, _timeout.Token);
        _timeout.Clear();
        _tls = ssl;
        _stream = ssl;
        var alpn = ssl.NegotiatedApplicationProtocol;
        if (alpn != default && alpn != Http11 && alpn != SslApplicationProtocol.Http2) return false;
        // HTTP/2's writer batches a turn's frames into one write and waits for it by design: it keeps the plain stream.
        if (_sendBehind is not null && alpn != SslApplicationProtocol.Http2) _sendBehind.Enabled = true;
        ClientCertificate = ssl.RemoteCertificate as X509Certificate2 ?? (ssl.RemoteCertificate is { } other ? new X509Certificate2(other) : null);
        return true;
    }

    // HTTP/2 on this connection (ALPN h2, or the preface on an h2c listener): Http2Connection serves it from here on,
    // with whatever was read past the TLS handshake or PROXY header.
    private async Task RunHttp2Async()
    {
        _served = true;
        var http2 = new Http2.Http2Connection(_frontEnd, this, _stream, _loop);
        // A full fence, as in Http1FrontEnd.CloseGently: one of the two sides sees the other's write.
        Interlocked.Exchange(ref _http2, http2);
        if (_closeRequested || _frontEnd.Closing) http2.RequestClose();
        var leftover = BufferedSpan.ToArray();
        _start = _end;
        await http2.RunAsync(leftover);
    }

    // An h2c listener (prior knowledge, RFC 9113 section 3.3): reads until the first bytes are, or cannot be, the
    // HTTP/2 connection preface; anything else is served as HTTP/1.1 from the same buffer.
    private async ValueTask<bool> PrefaceAsync()
    {
        _timeout.Set(_frontEnd.Config.Limits.HeaderTimeout);
        try
        {
            while (true)
            {
                var status = PrefaceStatus();
                if (status != 0) return status > 0;
                if (await FillAsync(_timeout.Token) == 0) return false;
            }
        }
        catch (OperationCanceledException) when (!_aborted.IsCancellationRequested)
        {
            return false;
        }
        finally
        {
            _timeout.Clear();
        }
    }

    // 1: the buffer starts with the whole preface; -1: it cannot; 0: so far so good.
    private int PrefaceStatus()
    {
        var preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;
        var buffered = BufferedSpan;
        var common = Math.Min(buffered.Length, preface.Length);
        if (!buffered[..common].SequenceEqual(preface[..common])) return -1;
        return common == preface.Length ? 1 : 0;
    }

    // accept-proxy (haproxy doc/proxy-protocol.txt): the header comes before anything else, within inspect-timeout.
    private async ValueTask<bool> ReadProxyHeaderAsync(ListenerConfig config)
    {
        RentBuffer();
        _timeout.Set(config.InspectTimeout);
        while (true)
        {
            var status = ProxyHeaderReader.TryParse(_buffer.AsSpan(0, Math.Min(_end, ProxyHeaderReader.MaxLength)), out var header);
            if (status == ProxyParseStatus.Done)
            {
                _start = header.Length;
                _timeout.Clear();
                if (header.Source is { } source) _peer = source.Address.IsIPv4MappedToIPv6 ? new IPEndPoint(source.Address.MapToIPv4(), source.Port) : source;
                return true;
            }

            if (status == ProxyParseStatus.Invalid || _end >= ProxyHeaderReader.MaxLength) return Refused("not a PROXY v1 or v2 header");
            try
            {
                if (await FillAsync(_timeout.Token) == 0) return Refused("closed before its PROXY header");
            }
            catch (OperationCanceledException)
            {
                return Refused("no complete PROXY header within the inspect-timeout");
            }
        }

        bool Refused(string reason)
        {
            Log.ProxyHeaderRefused(_frontEnd.Logger, config.Name, _peer?.ToString() ?? "?", reason);
            return false;
        }
    }

    // The next head: idle wait (keep-alive timeout, no buffer held), then the head within header-timeout.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ReadHeadAsync()
    {
        var config = _frontEnd.Config;
        var limits = Http1Limits.From(config.Limits);
        try
        {
            if (Buffered == 0)
            {
                // Asked to close (a drain, a stop): an idle connection that served goes now. After a takeover's gentle
                // close it stays for its next request, whose response says `Connection: close`: the last response may
                // have left without it, and the client may be sending on this connection already.
                if (_closeRequested && _served) return false;
                ReturnBuffer();
                _idle = true;
                _timeout.Set(_served ? config.Limits.KeepAliveTimeout : config.Limits.HeaderTimeout);
                if (_closeRequested) return false;
                _ = await _stream.ReadAsync(Memory<byte>.Empty, _timeout.Token); // a zero-byte read: waits for data, holds no buffer
                _idle = false;
                RentBuffer();
                if (await FillAsync(_timeout.Token) == 0) return false;
            }

            _timeout.Set(config.Limits.HeaderTimeout);
            while (true)
            {
                var result = Http1HeadParser.Parse(BufferedSpan, limits, _head);
                if (result.Status == Http1ParseStatus.Done)
                {
                    _start += result.Consumed;
                    _timeout.Clear();
                    return true;
                }

                if (result.Status == Http1ParseStatus.Refused)
                {
                    await RefuseAsync(result.RefuseStatus, result.Reason!);
                    return false;
                }

                if (Buffered > limits.MaxHead) return false; // the parser refuses long before; a guard, not a path
                if (await FillAsync(_timeout.Token) == 0) return false;
            }
        }
        catch (OperationCanceledException) when (!_aborted.IsCancellationRequested)
        {
            _idle = false;
            // A head begun and not finished in time: 408 (Kestrel and nginx answer it too); an idle connection just closes.
            if (Buffered > 0 && !_closeRequested) await RefuseAsync(StatusCodes.Status408RequestTimeout, "the request head did not arrive within header-timeout");
            return false;
        }
    }

    private async ValueTask RefuseAsync(int status, string reason)
    {
        Log.RequestRefused(_frontEnd.Logger, _frontEnd.Config.Name, _peer?.ToString() ?? "?", status, reason);
        var body = Encoding.ASCII.GetBytes($"{status} {ReasonPhraseOf(status)}: {reason}\n");
        var head = $"HTTP/1.1 {status} {ReasonPhraseOf(status)}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: {body.Length}\r\nDate: {Http1Date.Now(Time)}\r\nConnection: close\r\n\r\n";
        var bytes = new byte[Encoding.ASCII.GetByteCount(head) + body.Length];
        Encoding.ASCII.GetBytes(head, bytes);
        body.CopyTo(bytes.AsSpan(bytes.Length - body.Length));
        try
        {
            _timeout.Set(TimeSpan.FromSeconds(5));
            await _stream.WriteAsync(bytes, _timeout.Token);
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client is gone already.
        }
    }

    private static string ReasonPhraseOf(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);

    // One request: the handler, then the response's end; returns whether the connection can take another. Both
    // per-request loops pool their state machines, which would otherwise be allocated per request.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<bool> ServeAsync()
    {
        _served = true;
        var config = _frontEnd.Config;
        _body.Begin(_head, config.Limits.MaxBodySize, (int)Math.Min(config.Limits.MaxHeaderSize, int.MaxValue), config.Limits.MinBodyRate);
        Response.Begin(_exchange);
        _exchange.Begin(_head, _head.Framing == Http1BodyFraming.None ? Stream.Null : _body, Response, _peer?.Address, _peer?.Port ?? 0);
        try
        {
            try
            {
                await _frontEnd.Handler(_exchange);
            }
            catch (Exception e) when (!_aborted.IsCancellationRequested)
            {
                Log.RequestFailed(_frontEnd.Logger, config.Name, _peer?.ToString() ?? "?", e);
                if (Response.Started) return false; // the client sees the body cut short
                _exchange.ClearResponse();
                _exchange.Status = e is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;
                Response.CloseAfter();
            }

            if (_aborted.IsCancellationRequested) return false;
            await Response.CompleteAsync();
            _frontEnd.Completed?.Invoke(_exchange);
        }
        finally
        {
            _exchange.Complete();
            _exchange.Release();
        }

        if (Response.MustClose || _aborted.IsCancellationRequested) return false;
        return _body.Done || await DrainBodyAsync();
    }

    // A body the handler left unread (an answer of the balancer's own to a POST) is read and dropped, as Kestrel does,
    // so the connection can go on; a large or slow one closes the connection instead.
    private async ValueTask<bool> DrainBodyAsync()
    {
        const int MaxDrain = 256 * 1024;
        var scratch = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            _timeout.Set(TimeSpan.FromSeconds(1));
            for (var drained = 0; !_body.Done && drained < MaxDrain;)
            {
                var read = await _body.ReadAsync(scratch, _timeout.Token);
                if (read == 0 && !_body.Done) return false;
                drained += read;
            }

            _timeout.Clear();
            return _body.Done;
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or BadHttpRequestException or SocketException)
        {
            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(scratch);
        }
    }

    // Closing with unread bytes in the receive queue makes the kernel send RST, which can destroy the response the
    // client has not read yet (RFC 9112 section 9.6): send FIN first and read what is left for a moment.
    private async ValueTask LingerAsync()
    {
        try
        {
            if (_uring is not null) _uring.ShutdownSend();
            else _socket.Shutdown(SocketShutdown.Send);
            var scratch = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                using var linger = new CancellationTokenSource(TimeSpan.FromSeconds(1), Time);
                for (var total = 0; total < 1 << 20;)
                {
                    var read = _uring is not null
                        ? await _uring.ReadAsync(scratch, linger.Token)
                        : await _socket.ReceiveAsync(scratch, SocketFlags.None, linger.Token);
                    if (read == 0) break;
                    total += read;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(scratch);
            }
        }
        catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            // Gone, or still sending after a second: close anyway.
        }
    }

    // ---- the read buffer, shared with the request body ----

    /// <summary>Reads more into the buffer (compacting or growing it first); returns 0 at the end of the stream.</summary>
    public async ValueTask<int> FillAsync(CancellationToken cancellationToken)
    {
        if (_buffer.Length == 0) RentBuffer();
        if (_start == _end) _start = _end = 0;
        if (_end == _buffer.Length)
        {
            if (_start > 0)
            {
                _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
                _end -= _start;
                _start = 0;
            }
            else
            {
                var next = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(0, _end).CopyTo(next);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = next;
            }
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
        _end += read;
        return read;
    }

    /// <summary>The backend switched protocols: the 101 goes out and the connection becomes a byte stream both ways.</summary>
    public async ValueTask<Stream> SwitchProtocolsAsync(CancellationToken cancellationToken)
    {
        await Response.SwitchProtocolsAsync(cancellationToken);
        return new Http1Tunnel(this);
    }

    /// <summary>Reads into the caller's memory when nothing is buffered (a long body's large reads skip a copy).</summary>
    public ValueTask<int> ReadDirectAsync(Memory<byte> destination, CancellationToken cancellationToken) =>
        destination.Length >= InitialBuffer ? _stream.ReadAsync(destination, cancellationToken) : ReadViaBufferAsync(destination, cancellationToken);

    private async ValueTask<int> ReadViaBufferAsync(Memory<byte> destination, CancellationToken cancellationToken)
    {
        if (await FillAsync(cancellationToken) == 0) return 0;
        return Take(destination.Span);
    }

    public int Take(Span<byte> destination)
    {
        var count = Math.Min(destination.Length, Buffered);
        _buffer.AsSpan(_start, count).CopyTo(destination);
        _start += count;
        return count;
    }

    public void Skip(int count) => _start += count;

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.WriteAsync(data, cancellationToken);
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            Abort();
            throw;
        }
    }

    private void RentBuffer()
    {
        if (_buffer.Length == 0) _buffer = ArrayPool<byte>.Shared.Rent(InitialBuffer);
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length == 0 || _start != _end) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _start = _end = 0;
    }
}
