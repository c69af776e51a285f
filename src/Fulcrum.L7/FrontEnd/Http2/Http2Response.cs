using System.Buffers;
using Fulcrum.L7.FrontEnd.Http1;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// The response body stream of an <see cref="Http2Exchange"/>, which frames what is written to it: HEADERS with the
/// first write (in the same push as its DATA), DATA within the client's windows and frame size (waiting for
/// WINDOW_UPDATE when they are shut), and the end of the stream: on the DATA frame that completes a declared length,
/// else an empty DATA frame or the trailers. Frames collect in the stream's own buffer and are pushed to the
/// connection's output together; a write that completes the declared body is held until the handler returns, so the
/// balancer's accounting of the request is done before the client sees its end (as the HTTP/1.1 front end does).
/// </summary>
internal sealed class Http2Response(Http2Stream stream) : AsyncWriteStream
{
    private readonly ArrayBufferWriter<byte> _frames = new(256);
    private readonly ArrayBufferWriter<byte> _block = new(256);
    private HeaderDictionary? _trailers;
    private bool _noBody;
    private bool _ended;
    private long _declared;
    private long _written;

    public bool Started { get; private set; }
    public long BodyBytes => _written;
    public bool HasTrailers => _trailers is { Count: > 0 };

    public void Begin()
    {
        Started = _noBody = _ended = false;
        _declared = -1;
        _written = 0;
        _frames.ResetWrittenCount();
        _trailers?.Clear();
    }

    public void AppendTrailer(string name, StringValues value)
    {
        _trailers ??= new HeaderDictionary();
        _trailers[name] = _trailers.TryGetValue(name, out var existing) ? StringValues.Concat(existing, value) : value;
    }

    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var connection = stream.Connection;
        if (!Started) StartHead(endStream: false);
        if (_noBody || data.IsEmpty)
        {
            Push();
            return;
        }

        if (_declared >= 0 && _written + data.Length > _declared)
        {
            throw new InvalidOperationException($"the response body is longer than its Content-Length of {_declared}");
        }

        while (!data.IsEmpty)
        {
            Task<bool>? wait = null;
            bool start;
            lock (connection.Sync)
            {
                if (stream.State == Http2StreamState.Closed) throw new IOException("the HTTP/2 stream was reset");
                var room = (int)Math.Min(Math.Min(stream.SendWindow, connection.SendWindow), Math.Min(data.Length, connection.DataFrameSize));
                if (room > 0)
                {
                    stream.SendWindow -= room;
                    connection.SendWindow -= room;
                    _written += room;
                    var last = _declared >= 0 && _written == _declared;
                    Http2FrameWriter.Data(_frames, stream.Id, data.Span[..room], endStream: last);
                    data = data[room..];
                    if (last)
                    {
                        _ended = true;
                        return; // leaves with CompleteAsync, once the handler returned
                    }

                    start = PushLocked();
                }
                else
                {
                    start = PushLocked();
                    wait = stream.WaitForWindow();
                }
            }

            if (start) connection.Writer.Start();
            if (wait is not null && !await wait.WaitAsync(cancellationToken)) throw new IOException("the HTTP/2 stream was reset");
            await connection.Writer.WaitForRoomAsync();
        }
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!Started) StartHead(endStream: false);
        if (!_ended) Push();
        return Task.CompletedTask;
    }

    /// <summary>Ends the response: the head if nothing was written, then the end of the stream, all pushed to the connection.</summary>
    public ValueTask CompleteAsync()
    {
        if (!Started)
        {
            var length = stream.Exchange.ResponseHeaders.ContentLength;
            if (length > 0 && !IsNoBody(stream.Exchange.Status)) throw new InvalidOperationException("the response ended before its declared body");
            StartHead(endStream: !HasTrailers);
            _ended = !HasTrailers;
        }

        if (!_ended)
        {
            if (_declared >= 0 && _written < _declared && !_noBody) throw new InvalidOperationException("the response ended before its declared body");
            if (HasTrailers)
            {
                _block.ResetWrittenCount();
                stream.Connection.Encoder.EncodeFields(_block, _trailers!);
                Http2FrameWriter.Headers(_frames, stream.Id, _block.WrittenSpan, endStream: true, stream.Connection.PeerMaxFrameSize);
            }
            else
            {
                Http2FrameWriter.Data(_frames, stream.Id, [], endStream: true);
            }

            _ended = true;
        }

        Push();
        return ValueTask.CompletedTask;
    }

    /// <summary>Under the lock: `100 Continue` (RFC 9110 section 10.1.1) before the first read of a body the client holds back for it.</summary>
    public void QueueContinue()
    {
        if (Started) return;
        _block.ResetWrittenCount();
        stream.Connection.Encoder.EncodeResponse(_block, StatusCodes.Status100Continue, EmptyHeaders, date: null);
        Http2FrameWriter.Headers(stream.Connection.Writer.Output, stream.Id, _block.WrittenSpan, endStream: false, stream.Connection.PeerMaxFrameSize);
    }

    private static readonly HeaderDictionary EmptyHeaders = new();

    private bool IsNoBody(int status) => HttpMethods.IsHead(stream.Head.Method ?? "") || status is 204 or 304 || status < 200;

    private void StartHead(bool endStream)
    {
        Started = true;
        var exchange = stream.Exchange;
        var status = exchange.Status;
        var headers = exchange.Headers;
        _noBody = IsNoBody(status);
        if (((IHeaderDictionary)headers).ContentLength is { } length && status is not (204 or 304) && status >= 200) _declared = length;
        _block.ResetWrittenCount();
        var connection = stream.Connection;
        connection.Encoder.EncodeResponse(_block, status, headers, headers.ContainsKey("Date") ? null : Http1Date.Now(connection.FrontEnd.Time));
        Http2FrameWriter.Headers(_frames, stream.Id, _block.WrittenSpan, endStream, connection.PeerMaxFrameSize);
    }

    private void Push()
    {
        bool start;
        lock (stream.Connection.Sync) start = PushLocked();
        if (start) stream.Connection.Writer.Start();
    }

    // Under the lock: the stream's frames go to the connection's output (dropped if the stream was reset meanwhile).
    private bool PushLocked()
    {
        if (_frames.WrittenCount == 0) return false;
        var connection = stream.Connection;
        if (stream.State != Http2StreamState.Closed && !connection.Writer.Failed)
        {
            connection.Writer.Output.Write(_frames.WrittenSpan);
        }

        _frames.ResetWrittenCount();
        return connection.Writer.Queued();
    }
}
