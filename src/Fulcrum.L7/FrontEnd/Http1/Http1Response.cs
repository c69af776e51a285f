using System.Buffers;
using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text;
using Fulcrum.L7.BackendHttp;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// The response body stream of an <see cref="Http1Exchange"/>, which frames what is written to it: the head goes
/// out with the first write (in the same send when it fits), then the body by Content-Length, chunked when no length is
/// known, or nothing for HEAD, 204 and 304 (RFC 9112 section 6.3). Each write is sent at once, as Kestrel flushes
/// each, so a streamed answer reaches the client as the backend sends it.
/// </summary>
internal sealed class Http1Response(Http1Connection connection) : AsyncWriteStream
{
    private const int BufferSize = 16 * 1024;
    private static readonly SearchValues<char> NotFieldValue = SearchValues.Create("\0\r\n");
    // RFC 9110 section 5.6.2: tchar.
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");

    private byte[] _out = [];
    private int _length;
    private Http1Exchange _exchange = null!;
    private bool _chunked;
    private bool _noBody;
    private long _declared;
    private long _written;

    public bool Started { get; private set; }
    /// <summary>The connection must close after this response (Connection: close said, a body cut short, HTTP/1.0 without length).</summary>
    public bool MustClose { get; private set; }
    /// <summary>The response's body bytes (after framing is taken off), for the access log.</summary>
    public long BodyBytes => _written;

    public void Begin(Http1Exchange exchange)
    {
        _exchange = exchange;
        Started = _chunked = _noBody = MustClose = false;
        _declared = -1;
        _written = 0;
        _length = 0;
    }

    public void Release()
    {
        if (_out.Length > 0) ArrayPool<byte>.Shared.Return(_out);
        _out = [];
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        if (!Started) StartHead(hasBody: true);
        if (_noBody || data.IsEmpty)
        {
            if (_length > 0) await SendAsync(cancellationToken);
            return;
        }

        if (_declared >= 0 && _written + data.Length > _declared)
        {
            throw new InvalidOperationException($"the response body is longer than its Content-Length of {_declared}");
        }

        _written += data.Length;
        if (_chunked)
        {
            Reserve(20);
            Utf8Formatter.TryFormat(data.Length, _out.AsSpan(_length), out var digits, new System.Buffers.StandardFormat('x'));
            _length += digits;
            Append("\r\n"u8);
        }

        if (_length + data.Length + 2 <= Math.Max(_out.Length, BufferSize))
        {
            Reserve(data.Length + 2);
            data.Span.CopyTo(_out.AsSpan(_length));
            _length += data.Length;
            if (_chunked) Append("\r\n"u8);
            // The whole declared body is here: it leaves with CompleteAsync, once the handler has returned, so the
            // balancer's accounting of this request (the lease, its stats) is done before the client can send the next.
            if (_declared >= 0 && _written == _declared) return;
            await SendAsync(cancellationToken);
            return;
        }

        await SendAsync(cancellationToken);
        await connection.WriteAsync(data, cancellationToken);
        if (_chunked)
        {
            Append("\r\n"u8);
            await SendAsync(cancellationToken);
        }
    }

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!Started) StartHead(hasBody: true);
        if (_length > 0) await SendAsync(cancellationToken);
    }

    /// <summary>Ends the response: the head if nothing was written (with Content-Length: 0 where a body may be), the last chunk.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    public async ValueTask CompleteAsync()
    {
        if (!Started) StartHead(hasBody: false);
        if (_chunked) Append("0\r\n\r\n"u8);
        else if (_declared >= 0 && _written < _declared && !_noBody) MustClose = true; // the client sees the body cut short
        if (_length > 0) await SendAsync(default);
    }

    /// <summary>Sends `100 Continue` (RFC 9110 section 10.1.1) before the first read of a body the client holds back for it.</summary>
    public ValueTask ContinueAsync(CancellationToken cancellationToken) =>
        Started ? ValueTask.CompletedTask : connection.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray(), cancellationToken);

    /// <summary>
    /// Sends the head of a 101 the backend gave (with `Connection: upgrade`; the leg set its Upgrade): from here the
    /// connection carries the relayed protocol and closes when the relay ends.
    /// </summary>
    public ValueTask SwitchProtocolsAsync(CancellationToken cancellationToken)
    {
        StartHead(hasBody: false);
        MustClose = true;
        return SendAsync(cancellationToken);
    }

    /// <summary>Makes the connection close after this response (a refusal, a failure).</summary>
    public void CloseAfter() => MustClose = true;

    private void StartHead(bool hasBody)
    {
        Started = true;
        var exchange = _exchange;
        var head = exchange.Head;
        var status = exchange.Status;
        // The backend's lines as bytes, unless something asked for the dictionary (then the dictionary is the response).
        var bytes = exchange.HasResponseBytes;
        IHeaderDictionary? headers = bytes ? null : exchange.ResponseHeaders;
        _noBody = HttpMethods.IsHead(head.Method) || status is 204 or 304 || status < 200;
        var length = headers is null ? exchange.ResponseContentLength : headers.ContentLength;
        if (status is 204 || status < 200) length = null;

        if (length is { } declared) _declared = declared;
        else if (_noBody) { }
        else if (!hasBody) _declared = 0;
        else if (head.Http10) MustClose = true; // the body ends when the connection does
        else _chunked = true;

        if (!head.KeepAlive || connection.Closing || headers?.Connection is { Count: > 0 } connectionHeader && Contains(connectionHeader, "close")) MustClose = true;

        Reserve(BufferSize);
        Append("HTTP/1.1 "u8);
        Utf8Formatter.TryFormat(status, _out.AsSpan(_length), out var written);
        _length += written;
        Append(" "u8);
        AppendLatin1(ReasonPhrases.GetReasonPhrase(status));
        Append("\r\n"u8);

        var hasDate = headers is null ? AppendLines(exchange.ResponseLines, exchange.ResponseEdits) : headers.ContainsKey("Date");
        if (headers is not null)
        {
            foreach (var (name, values) in headers) AppendField(name, values);
        }
        else
        {
            foreach (var (name, values) in exchange.ResponseEdits.Items) AppendField(name, values);
        }

        if (!hasDate)
        {
            Append("Date: "u8);
            AppendLatin1(Http1Date.Now(connection.Time));
            Append("\r\n"u8);
        }

        if (_declared >= 0 && !(status is 304 && length is null))
        {
            Append("Content-Length: "u8);
            Reserve(20);
            Utf8Formatter.TryFormat(_declared, _out.AsSpan(_length), out written);
            _length += written;
            Append("\r\n"u8);
        }

        if (_chunked) Append("Transfer-Encoding: chunked\r\n"u8);
        if (status == StatusCodes.Status101SwitchingProtocols) Append("Connection: upgrade\r\n"u8);
        else if (MustClose) Append("Connection: close\r\n"u8);
        else if (head.Http10) Append("Connection: keep-alive\r\n"u8);
        Append("\r\n"u8);
    }

    // The backend's lines (valid, hop-by-hop ones gone: ResponseHead.WriteFields) but Content-Length, which is this
    // front end's to say, and those an edit replaces; returns whether a Date was among them.
    private bool AppendLines(ReadOnlySpan<byte> lines, Exchange.FieldEdits edits)
    {
        var hasDate = false;
        while (lines.Length > 0)
        {
            var end = lines.IndexOf("\r\n"u8) + 2;
            var line = lines[..end];
            lines = lines[end..];
            var colon = line.IndexOf((byte)':');
            var name = line[..colon];
            if (colon == 14 && Ascii.EqualsIgnoreCase(name, "Content-Length"u8)) continue;
            if (colon == 4 && Ascii.EqualsIgnoreCase(name, "Date"u8)) hasDate = true;
            if (edits.Count > 0 && edits.IndexOf(name) >= 0) continue;
            Append(line);
        }

        return hasDate;
    }

    private void AppendField(string name, Microsoft.Extensions.Primitives.StringValues values)
    {
        // Framing and connection management are this front end's to say (RFC 9112 sections 6 and 9.6).
        if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || name.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
            || name.Equals("Connection", StringComparison.OrdinalIgnoreCase) || name.Equals("Keep-Alive", StringComparison.OrdinalIgnoreCase))
        {
            return;
        }

        if (name.Length == 0 || name.AsSpan().IndexOfAnyExcept(TokenChars) >= 0) throw new InvalidOperationException($"invalid response header name '{name}'");
        foreach (var value in values)
        {
            if (value is null) continue;
            if (value.AsSpan().IndexOfAny(NotFieldValue) >= 0 || value.AsSpan().IndexOfAnyExceptInRange('\0', '\u00ff') >= 0)
            {
                throw new InvalidOperationException($"invalid character in the value of response header '{name}'");
            }

            AppendLatin1(name);
            Append(": "u8);
            AppendLatin1(value);
            Append("\r\n"u8);
        }
    }

    private static bool Contains(Microsoft.Extensions.Primitives.StringValues values, string option)
    {
        foreach (var value in values)
        {
            if (value is not null && value.Contains(option, StringComparison.OrdinalIgnoreCase)) return true;
        }

        return false;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        var length = _length;
        _length = 0;
        await connection.WriteAsync(_out.AsMemory(0, length), cancellationToken);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        Reserve(bytes.Length);
        bytes.CopyTo(_out.AsSpan(_length));
        _length += bytes.Length;
    }

    private void AppendLatin1(string text)
    {
        Reserve(text.Length);
        _length += Encoding.Latin1.GetBytes(text, _out.AsSpan(_length));
    }

    private void Reserve(int count)
    {
        if (_length + count <= _out.Length) return;
        var next = ArrayPool<byte>.Shared.Rent(Math.Max(BufferSize, (_length + count) * 2));
        _out.AsSpan(0, _length).CopyTo(next);
        if (_out.Length > 0) ArrayPool<byte>.Shared.Return(_out);
        _out = next;
    }
}
