using System.Buffers;
using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Fulcrum.Core.IO.Uring;
using Fulcrum.L7.Diagnostics;
using Fulcrum.L7.FrontEnd.Http1;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// One HTTP/2 connection of Fulcrum's own front end (RFC 9113), after TLS chose h2 by ALPN (or a plain listener's
/// client sent the preface): the preface and SETTINGS, then a read loop that takes every whole frame of a read in one
/// turn: PING, SETTINGS, WINDOW_UPDATE, RST_STREAM and GOAWAY at once, header blocks (HEADERS and CONTINUATION) through
/// the connection's HPACK decoder into a free stream slot whose handler starts on the spot, DATA into the stream's body
/// within both receive windows. The turn's frames, and the responses that finished meanwhile, leave together at its end
/// (<see cref="Http2Writer"/>). Streams are slots in an array (<see cref="Http2Stream"/>). A protocol violation is a
/// GOAWAY with its code (a connection error) or an RST_STREAM (a stream error), as section 5.4 says.
/// </summary>
internal sealed class Http2Connection
{
    /// <summary>The receive window each stream starts with (SETTINGS_INITIAL_WINDOW_SIZE); read bodies reopen it.</summary>
    public const int StreamWindow = 128 * 1024;
    private const int ConnectionWindow = 1024 * 1024;
    private const int DefaultWindow = 65_535;
    private const int MaxFrameSize = 16_384;
    /// <summary>As <see cref="Hosting.ContinuationGuard"/> bounds Kestrel: a header block in more frames than this is a flood.</summary>
    private const int MaxContinuations = 32;
    /// <summary>PING and SETTINGS answers queued while no write completes, past which a client that floods them without reading is cut.</summary>
    private const int ControlBacklog = 10_000;
    private const int ReadBuffer = 32 * 1024;
    private static ReadOnlySpan<byte> Preface => "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8;
    /// <summary>The PING that follows a closing GOAWAY's first step; its ACK says every stream the client sent before has arrived.</summary>
    private static ReadOnlySpan<byte> ClosePing => "goaway!!"u8;
    /// <summary>How long the first step waits for that ACK (a client that does not answer gets the final GOAWAY anyway).</summary>
    private static readonly TimeSpan CloseNoticeTimeout = TimeSpan.FromSeconds(1);

    private readonly Http1FrontEnd _frontEnd;
    private readonly Http1Connection _owner;
    private readonly Stream _stream;
    private readonly CancellationTokenSource _timeout;
    private readonly HpackDecoder _decoder;
    private readonly Http2Stream?[] _slots;
    private readonly int _maxStreams;
    private readonly long _maxBody;
    private readonly ArrayBufferWriter<byte> _block = new(1024);
    private readonly Http2RequestHead _discard = new();
    private readonly List<TaskCompletionSource<bool>> _wake = [];
    private byte[] _buffer = [];
    private int _start;
    private int _end;
    private int _open;
    private int _running;
    private int _lastStreamId;
    private int _goAwayLastId = int.MaxValue;
    private int _blockStream;
    private byte _blockFlags;
    private int _continuations;
    private int _receiveWindow = ConnectionWindow;
    private int _unacknowledged;
    private bool _settingsSeen;
    private bool _idleArmed = true;
    private long _controlEpoch = -1;
    private int _controlQueued;
    private bool _peerGoAway;
    private volatile bool _closeRequested;
    private bool _closeNoticed;
    private bool _settingsSent;
    private bool _closeWaitsForSettings;
    private ITimer? _noticeTimer;
    private TaskCompletionSource? _allFinished;

    /// <param name="loop">The io_uring loop the connection runs on (its writes wait for the end of the loop's turn); null: .NET's sockets.</param>
    public Http2Connection(Http1FrontEnd frontEnd, Http1Connection owner, Stream stream, UringLoop? loop = null)
    {
        _frontEnd = frontEnd;
        _owner = owner;
        _stream = stream;
        var limits = frontEnd.Config.Limits;
        _maxStreams = Math.Max(1, limits.Http2MaxStreams);
        _maxBody = limits.MaxBodySize;
        _slots = new Http2Stream?[2 * _maxStreams];
        _decoder = new HpackDecoder(4096, MaxHeaderList);
        _timeout = new CancellationTokenSource(Timeout.InfiniteTimeSpan, frontEnd.Time);
        Writer = new Http2Writer(Sync, stream, owner.Abort, loop);
    }

    public object Sync { get; } = new();
    public Http1FrontEnd FrontEnd => _frontEnd;
    public Http2Writer Writer { get; }
    public HpackEncoder Encoder { get; } = new();
    /// <summary>What this side may still send on the connection (the client's connection window); under the lock.</summary>
    public long SendWindow { get; set; } = DefaultWindow;
    public int PeerMaxFrameSize { get; private set; } = MaxFrameSize;
    /// <summary>DATA frames stay at 16 KiB even when the client accepts larger: one TLS record each, and a bounded backlog.</summary>
    public int DataFrameSize => MaxFrameSize;
    private int PeerInitialWindow { get; set; } = DefaultWindow;
    public IPEndPoint? Peer => _owner.Peer;
    public string PeerText => _owner.Peer?.ToString() ?? "?";
    public bool IsHttps => _owner.IsHttps;
    public X509Certificate2? ClientCertificate => _owner.ClientCertificate;
    public SslProtocols? TlsProtocol => _owner.TlsProtocol;
    private int MaxHeaderList => (int)Math.Clamp(_frontEnd.Config.Limits.MaxHeaderSize, 4096, 1 << 24);

    public async Task RunAsync(ReadOnlyMemory<byte> leftover)
    {
        var config = _frontEnd.Config;
        var code = Http2ErrorCode.NoError;
        string? reason = null;
        try
        {
            RentBuffer();
            leftover.CopyTo(_buffer);
            _end = leftover.Length;
            _timeout.CancelAfter(config.Limits.HeaderTimeout);
            while (_end - _start < Preface.Length)
            {
                if (await FillAsync() == 0) return;
            }

            if (!_buffer.AsSpan(_start, Preface.Length).SequenceEqual(Preface)) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "no HTTP/2 connection preface");
            _start += Preface.Length;
            lock (Sync)
            {
                Http2FrameWriter.Settings(Writer.Output,
                [
                    (Http2SettingId.MaxConcurrentStreams, (uint)_maxStreams),
                    (Http2SettingId.InitialWindowSize, StreamWindow),
                    (Http2SettingId.MaxHeaderListSize, (uint)MaxHeaderList),
                    (Http2SettingId.EnableConnectProtocol, 1),
                ]);
                Http2FrameWriter.WindowUpdate(Writer.Output, 0, ConnectionWindow - DefaultWindow);
                _settingsSent = true;
            }

            if (_closeWaitsForSettings) RequestClose();

            while (true)
            {
                lock (Sync) Writer.BeginTurn();
                try
                {
                    ProcessBuffered();
                }
                finally
                {
                    bool start;
                    lock (Sync) start = Writer.EndTurn();
                    if (start) Writer.Start();
                }

                if (_frontEnd.Closing && !_closeNoticed) RequestClose();
                if ((_closeRequested || _peerGoAway) && Volatile.Read(ref _running) == 0) break;
                if (await ReadAsync() == 0) break;
            }
        }
        catch (Http2ConnectionError e)
        {
            code = e.Code;
            reason = e.Message;
        }
        catch (OperationCanceledException) when (!_owner.Aborted.IsCancellationRequested)
        {
            // Idle past keep-alive-timeout, or closing with nothing in flight: GOAWAY without error.
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            Log.ConnectionFailed(_frontEnd.Logger, config.Name, PeerText, e);
        }
        finally
        {
            await EndAsync(code, reason);
        }
    }

    // Every whole frame in the buffer, in order (one turn).
    private void ProcessBuffered()
    {
        while (true)
        {
            var status = Http2FrameReader.TryRead(_buffer.AsSpan(_start, _end - _start), MaxFrameSize, out var header);
            if (status == Http2ReadStatus.TooLarge) throw new Http2ConnectionError(Http2ErrorCode.FrameSizeError, $"a frame of {header.Length} bytes, over SETTINGS_MAX_FRAME_SIZE");
            if (status == Http2ReadStatus.NeedMore) return;
            var payload = _buffer.AsSpan(_start + Http2FrameHeader.Size, header.Length);
            _start += Http2FrameHeader.Size + header.Length;
            if (!_settingsSeen)
            {
                // Section 3.4: the client's preface ends with a SETTINGS frame.
                if (header.Type != Http2FrameType.Settings || header.Has(Http2Flags.Ack)) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "the preface did not end with SETTINGS");
                _settingsSeen = true;
            }

            ProcessFrame(header, payload);
            foreach (var waiter in _wake) waiter.TrySetResult(true);
            _wake.Clear();
        }
    }

    private void ProcessFrame(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (_blockStream != 0 && header.Type != Http2FrameType.Continuation)
        {
            throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, $"a {header.Type} frame inside a header block (section 6.10)");
        }

        switch (header.Type)
        {
            case Http2FrameType.Data: OnData(header, payload); break;
            case Http2FrameType.Headers: OnHeaders(header, payload); break;
            case Http2FrameType.Priority:
                if (header.StreamId == 0) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "PRIORITY on stream 0");
                if (header.Length != 5) StreamError(header.StreamId, Http2ErrorCode.FrameSizeError, "PRIORITY not 5 bytes long");
                break;
            case Http2FrameType.RstStream: OnRstStream(header, payload); break;
            case Http2FrameType.Settings: OnSettings(header, payload); break;
            case Http2FrameType.PushPromise: throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "PUSH_PROMISE from a client");
            case Http2FrameType.Ping: OnPing(header, payload); break;
            case Http2FrameType.GoAway:
                if (header.StreamId != 0) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "GOAWAY on a stream");
                _peerGoAway = true;
                break;
            case Http2FrameType.WindowUpdate: OnWindowUpdate(header, payload); break;
            case Http2FrameType.Continuation: OnContinuation(header, payload); break;
            default: break; // unknown types are ignored (section 4.1)
        }
    }

    private void OnHeaders(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId == 0) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "HEADERS on stream 0");
        if (!Http2FrameReader.TryStripPadding(header.Flags, payload, out var block)) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "padding as long as the frame");
        if (header.Has(Http2Flags.Priority))
        {
            if (block.Length < 5) throw new Http2ConnectionError(Http2ErrorCode.FrameSizeError, "HEADERS too short for its priority");
            block = block[5..];
        }

        if (header.Has(Http2Flags.EndHeaders))
        {
            HeaderBlock(header.StreamId, header.Flags, block);
            return;
        }

        _blockStream = header.StreamId;
        _blockFlags = header.Flags;
        _continuations = 0;
        _block.ResetWrittenCount();
        _block.Write(block);
    }

    private void OnContinuation(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (_blockStream == 0 || header.StreamId != _blockStream) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "CONTINUATION without its HEADERS");
        if (++_continuations > MaxContinuations) throw new Http2ConnectionError(Http2ErrorCode.EnhanceYourCalm, $"a header block in more than {MaxContinuations} CONTINUATION frames");
        _block.Write(payload);
        if (_block.WrittenCount > 2 * MaxHeaderList + MaxFrameSize) throw new Http2ConnectionError(Http2ErrorCode.EnhanceYourCalm, "a header block far larger than the header list limit");
        if (!header.Has(Http2Flags.EndHeaders)) return;
        var stream = _blockStream;
        _blockStream = 0;
        HeaderBlock(stream, _blockFlags, _block.WrittenSpan);
    }

    // A whole header block: a new request, or the trailers of an open one.
    private void HeaderBlock(int id, byte flags, ReadOnlySpan<byte> block)
    {
        var endStream = (flags & Http2Flags.EndStream) != 0;
        Http2Stream? stream;
        lock (Sync) stream = Find(id);
        if (stream is not null)
        {
            Decode(block, _discard);
            lock (Sync)
            {
                if (stream.State != Http2StreamState.Open) StreamErrorLocked(stream, Http2ErrorCode.StreamClosed, "HEADERS on a half-closed stream");
                else if (!endStream) StreamErrorLocked(stream, Http2ErrorCode.ProtocolError, "trailers without END_STREAM");
                else
                {
                    stream.State = Http2StreamState.HalfClosedRemote;
                    if (stream.EndWithTrailers() is { } waiter) _wake.Add(waiter);
                }
            }

            return;
        }

        if (id <= _lastStreamId)
        {
            // A stream already closed: its answer may have ended it (and an RST_STREAM NO_ERROR stopped its body) while
            // the client's trailers were on the way. Section 5.1 says to ignore frames after an RST_STREAM; the block
            // is still decoded, so the table stays in step.
            Decode(block, _discard);
            return;
        }

        if ((id & 1) == 0) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, $"a client stream with the even id {id}");
        _lastStreamId = id;

        Http2Stream? slot = null;
        bool refuse;
        lock (Sync)
        {
            refuse = id > _goAwayLastId || _open >= _maxStreams;
            if (!refuse && (slot = TakeSlot()) is null)
            {
                // Every slot is held by a stream the client reset whose handler has not returned yet: rapid reset (CVE-2023-44487).
                throw new Http2ConnectionError(Http2ErrorCode.EnhanceYourCalm, "too many streams reset while still being served");
            }
        }

        if (slot is null)
        {
            Decode(block, _discard);
            if (id <= _goAwayLastId) StreamError(id, Http2ErrorCode.RefusedStream, "past SETTINGS_MAX_CONCURRENT_STREAMS");
            return;
        }

        var head = slot.Head;
        head.Clear();
        var tooLarge = Decode(block, head);
        if (_decoder.SawInvalidName) head.Refuse("a field name that is not a lowercase token");
        head.Validate();
        lock (Sync)
        {
            slot.Begin(id, PeerInitialWindow, StreamWindow, endStream);
            _open++;
            _running++;
            if (head.Malformed is { } malformed && !tooLarge)
            {
                StreamErrorLocked(slot, Http2ErrorCode.ProtocolError, malformed);
                CreditConnection(slot.Release());
                _running--;
                return;
            }

            slot.RefuseStatus = tooLarge ? StatusCodes.Status431RequestHeaderFieldsTooLarge : 0;
            slot.Response.Begin();
            slot.Exchange.Begin(endStream ? Stream.Null : slot.Body);
        }

        _ = slot.RunAsync();
    }

    // Decodes a block (section 4.3: always, so the table stays in step); true when the header list was too large.
    private bool Decode(ReadOnlySpan<byte> block, IHpackSink sink)
    {
        _discard.Clear();
        return _decoder.Decode(block, sink) switch
        {
            HpackStatus.Done => false,
            HpackStatus.TooLarge => true,
            HpackStatus.Excessive => throw new Http2ConnectionError(Http2ErrorCode.EnhanceYourCalm, "a header block that decodes to far more than the header list limit"),
            _ => throw new Http2ConnectionError(Http2ErrorCode.CompressionError, "an invalid HPACK block"),
        };
    }

    private void OnData(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId == 0) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "DATA on stream 0");
        if (!Http2FrameReader.TryStripPadding(header.Flags, payload, out var data)) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "padding as long as the frame");
        var length = header.Length;
        var endStream = header.Has(Http2Flags.EndStream);
        lock (Sync)
        {
            if (length > _receiveWindow) throw new Http2ConnectionError(Http2ErrorCode.FlowControlError, "DATA past the connection window");
            _receiveWindow -= length;
            var stream = Find(header.StreamId);
            if (stream is null)
            {
                if (header.StreamId > _lastStreamId) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "DATA on an idle stream");
                // A closed stream: mostly one whose answer ended it while its body was still coming (this side sent
                // RST_STREAM NO_ERROR), whose frames section 5.1 says to ignore; only the connection window counts them.
                CreditConnection(length);
                return;
            }

            if (stream.State != Http2StreamState.Open)
            {
                CreditConnection(length);
                if (stream.State == Http2StreamState.HalfClosedRemote) StreamErrorLocked(stream, Http2ErrorCode.StreamClosed, "DATA after END_STREAM");
                return;
            }

            if (length > stream.ReceiveWindow)
            {
                CreditConnection(length);
                StreamErrorLocked(stream, Http2ErrorCode.FlowControlError, "DATA past the stream window");
                return;
            }

            stream.ReceiveWindow -= length;
            // Padding is flow-controlled but never read: give it back at once.
            if (length > data.Length) Consumed(stream, length - data.Length);
            if (endStream) stream.State = Http2StreamState.HalfClosedRemote;
            // A body that failed (too large, a length that disagrees) keeps nothing more: what it would have held is
            // given back to the connection's window at once.
            if (stream.BodyError is not null) CreditConnection(data.Length);
            var waiter = stream.Append(data, endStream);
            if (_maxBody > 0 && stream.Received > _maxBody)
            {
                stream.FailBody(new BadHttpRequestException("the request body is larger than the listener's max-body-size", StatusCodes.Status413PayloadTooLarge));
            }

            if (waiter is not null) _wake.Add(waiter);
        }
    }

    private void OnRstStream(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId == 0) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "RST_STREAM on stream 0");
        if (header.Length != 4) throw new Http2ConnectionError(Http2ErrorCode.FrameSizeError, "RST_STREAM not 4 bytes long");
        lock (Sync)
        {
            var stream = Find(header.StreamId);
            if (stream is null)
            {
                if (header.StreamId > _lastStreamId) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "RST_STREAM on an idle stream");
                return;
            }

            if (stream.State is Http2StreamState.Open or Http2StreamState.HalfClosedRemote) _open--;
            CreditConnection(stream.Reset());
        }
    }

    private void OnSettings(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != 0) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "SETTINGS on a stream");
        if (header.Has(Http2Flags.Ack))
        {
            if (header.Length != 0) throw new Http2ConnectionError(Http2ErrorCode.FrameSizeError, "a SETTINGS ACK with a payload");
            return;
        }

        if (header.Length % 6 != 0) throw new Http2ConnectionError(Http2ErrorCode.FrameSizeError, "SETTINGS not a multiple of 6 bytes");
        lock (Sync)
        {
            for (var i = 0; i < payload.Length; i += 6)
            {
                var id = (Http2SettingId)BinaryPrimitives.ReadUInt16BigEndian(payload[i..]);
                var value = BinaryPrimitives.ReadUInt32BigEndian(payload[(i + 2)..]);
                switch (id)
                {
                    case Http2SettingId.EnablePush when value > 1:
                        throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "SETTINGS_ENABLE_PUSH neither 0 nor 1");
                    case Http2SettingId.InitialWindowSize:
                        if (value > int.MaxValue) throw new Http2ConnectionError(Http2ErrorCode.FlowControlError, "SETTINGS_INITIAL_WINDOW_SIZE above 2^31-1");
                        ChangeInitialWindow((int)value);
                        break;
                    case Http2SettingId.MaxFrameSize:
                        if (value is < MaxFrameSize or > 16_777_215) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "SETTINGS_MAX_FRAME_SIZE out of range");
                        PeerMaxFrameSize = (int)value;
                        break;
                }
            }

            Http2FrameWriter.SettingsAck(Writer.Output);
            ControlQueued();
        }
    }

    // Section 6.9.2: a new initial window moves every open stream's window by the difference.
    private void ChangeInitialWindow(int value)
    {
        var delta = value - PeerInitialWindow;
        PeerInitialWindow = value;
        foreach (var stream in _slots)
        {
            if (stream is not { State: Http2StreamState.Open or Http2StreamState.HalfClosedRemote }) continue;
            stream.SendWindow += delta;
            if (stream.SendWindow > int.MaxValue) throw new Http2ConnectionError(Http2ErrorCode.FlowControlError, "a stream window above 2^31-1");
            if (delta > 0 && stream.TakeWindowWaiter() is { } waiter) _wake.Add(waiter);
        }
    }

    private void OnPing(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.StreamId != 0) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "PING on a stream");
        if (header.Length != 8) throw new Http2ConnectionError(Http2ErrorCode.FrameSizeError, "PING not 8 bytes long");
        if (header.Has(Http2Flags.Ack))
        {
            if (payload.SequenceEqual(ClosePing)) FinishClose();
            return;
        }

        lock (Sync)
        {
            Http2FrameWriter.Ping(Writer.Output, payload, ack: true);
            ControlQueued();
        }
    }

    // Under the lock: an answer the client asked for was queued; a flood whose answers it does not read is cut.
    private void ControlQueued()
    {
        if (Writer.WriteCount != _controlEpoch)
        {
            _controlEpoch = Writer.WriteCount;
            _controlQueued = 0;
        }

        if (++_controlQueued > ControlBacklog) throw new Http2ConnectionError(Http2ErrorCode.EnhanceYourCalm, "PING or SETTINGS faster than their answers are read");
    }

    private void OnWindowUpdate(Http2FrameHeader header, ReadOnlySpan<byte> payload)
    {
        if (header.Length != 4) throw new Http2ConnectionError(Http2ErrorCode.FrameSizeError, "WINDOW_UPDATE not 4 bytes long");
        var increment = (int)(BinaryPrimitives.ReadUInt32BigEndian(payload) & 0x7FFF_FFFF);
        lock (Sync)
        {
            if (header.StreamId == 0)
            {
                if (increment == 0) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "WINDOW_UPDATE of 0");
                SendWindow += increment;
                if (SendWindow > int.MaxValue) throw new Http2ConnectionError(Http2ErrorCode.FlowControlError, "the connection window above 2^31-1");
                foreach (var waiting in _slots)
                {
                    if (waiting?.TakeWindowWaiter() is { } waiter) _wake.Add(waiter);
                }

                return;
            }

            var stream = Find(header.StreamId);
            if (stream is null)
            {
                if (header.StreamId > _lastStreamId) throw new Http2ConnectionError(Http2ErrorCode.ProtocolError, "WINDOW_UPDATE on an idle stream");
                return;
            }

            if (stream.State == Http2StreamState.Closed) return;
            if (increment == 0)
            {
                StreamErrorLocked(stream, Http2ErrorCode.ProtocolError, "WINDOW_UPDATE of 0");
                return;
            }

            stream.SendWindow += increment;
            if (stream.SendWindow > int.MaxValue)
            {
                StreamErrorLocked(stream, Http2ErrorCode.FlowControlError, "a stream window above 2^31-1");
                return;
            }

            if (stream.TakeWindowWaiter() is { } one) _wake.Add(one);
        }
    }

    // ---- streams ----

    private Http2Stream? Find(int id)
    {
        foreach (var stream in _slots)
        {
            if (stream is { Running: true } && stream.Id == id) return stream;
        }

        return null;
    }

    private Http2Stream? TakeSlot()
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            var slot = _slots[i] ??= new Http2Stream(this);
            if (!slot.Running) return slot;
        }

        return null;
    }

    /// <summary>Under the lock: the handler read <paramref name="count"/> body bytes; reopens the windows by half of each at a time. True when frames were queued.</summary>
    public bool Consumed(Http2Stream stream, int count)
    {
        var queued = false;
        stream.Unacknowledged += count;
        if (stream.State == Http2StreamState.Open && stream.Unacknowledged >= StreamWindow / 2)
        {
            Http2FrameWriter.WindowUpdate(Writer.Output, stream.Id, stream.Unacknowledged);
            stream.ReceiveWindow += stream.Unacknowledged;
            stream.Unacknowledged = 0;
            queued = true;
        }

        return CreditConnection(count) || queued;
    }

    private bool CreditConnection(int count)
    {
        _unacknowledged += count;
        if (_unacknowledged < ConnectionWindow / 2) return false;
        Http2FrameWriter.WindowUpdate(Writer.Output, 0, _unacknowledged);
        _receiveWindow += _unacknowledged;
        _unacknowledged = 0;
        return true;
    }

    /// <summary>Starts a write if frames wait and nobody else will.</summary>
    public void FlushIfDue()
    {
        bool start;
        lock (Sync) start = Writer.Queued();
        if (start) Writer.Start();
    }

    /// <summary>Resets a stream from the handler's side (a failure after the response started, an abort).</summary>
    public void ResetStream(Http2Stream stream, Http2ErrorCode code, string reason)
    {
        bool start;
        lock (Sync)
        {
            if (stream.State is Http2StreamState.Idle or Http2StreamState.Closed) return;
            StreamErrorLocked(stream, code, reason);
            start = Writer.Queued();
        }

        if (start) Writer.Start();
    }

    private void StreamError(int id, Http2ErrorCode code, string reason)
    {
        Log.Http2StreamError(_frontEnd.Logger, _frontEnd.Config.Name, PeerText, id, code.ToString(), reason);
        lock (Sync) Http2FrameWriter.RstStream(Writer.Output, id, code);
    }

    private void StreamErrorLocked(Http2Stream stream, Http2ErrorCode code, string reason)
    {
        Log.Http2StreamError(_frontEnd.Logger, _frontEnd.Config.Name, PeerText, stream.Id, code.ToString(), reason);
        if (stream.State is Http2StreamState.Open or Http2StreamState.HalfClosedRemote) _open--;
        Http2FrameWriter.RstStream(Writer.Output, stream.Id, code);
        CreditConnection(stream.Reset());
    }

    /// <summary>The stream's handler returned and its response was pushed: the slot is free again.</summary>
    public void StreamFinished(Http2Stream stream)
    {
        bool start;
        bool wake;
        TaskCompletionSource? all = null;
        lock (Sync)
        {
            if (stream.State is Http2StreamState.Open or Http2StreamState.HalfClosedRemote)
            {
                _open--;
                // The response is whole and the client still sends: stop it without an error (section 8.1).
                if (stream.State == Http2StreamState.Open) Http2FrameWriter.RstStream(Writer.Output, stream.Id, Http2ErrorCode.NoError);
            }

            CreditConnection(stream.Release());
            _running--;
            wake = _running == 0 && (_closeRequested || _peerGoAway);
            if (_running == 0)
            {
                (all, _allFinished) = (_allFinished, null);
                ArmIdleTimer();
            }

            start = Writer.Queued();
        }

        if (start) Writer.Start();
        all?.TrySetResult();
        if (wake) CancelTimeout();
    }

    // ---- closing ----

    /// <summary>
    /// Closes in two steps, as RFC 9113 section 6.8 advises: a GOAWAY naming 2^31-1 and a PING first, so the client
    /// opens no new stream while one it sent before may still be on the wire; once the PING comes back (or after
    /// <see cref="CloseNoticeTimeout"/>), every stream the client sent has arrived, and the final GOAWAY names the last
    /// one taken. Those finish, and the connection closes. A single GOAWAY could cross a request in flight: the client
    /// would retry it, but a close soon after could reach it first and fail it.
    /// </summary>
    public void RequestClose()
    {
        bool start;
        lock (Sync)
        {
            if (_closeNoticed || _goAwayLastId != int.MaxValue) return;
            if (!_settingsSent)
            {
                // The server's preface is a SETTINGS frame first (section 3.4): a GOAWAY before it fails the client's handshake.
                _closeWaitsForSettings = true;
                return;
            }

            _closeNoticed = true;
            Http2FrameWriter.GoAway(Writer.Output, int.MaxValue, Http2ErrorCode.NoError);
            Http2FrameWriter.Ping(Writer.Output, ClosePing, ack: false);
            _noticeTimer = _frontEnd.Time.CreateTimer(static s => ((Http2Connection)s!).FinishClose(), this, CloseNoticeTimeout, Timeout.InfiniteTimeSpan);
            start = Writer.Queued();
        }

        if (start) Writer.Start();
    }

    // The second step: the final GOAWAY; streams up to it finish, new ones are refused, then the connection closes.
    private void FinishClose()
    {
        _closeRequested = true;
        bool start;
        bool idle;
        lock (Sync)
        {
            if (_goAwayLastId == int.MaxValue)
            {
                _goAwayLastId = _lastStreamId;
                Http2FrameWriter.GoAway(Writer.Output, _lastStreamId, Http2ErrorCode.NoError);
            }

            start = Writer.Queued();
            idle = _running == 0;
        }

        if (start) Writer.Start();
        if (idle) CancelTimeout();
    }

    /// <summary>The connection is cut (the owner closes the socket): every stream's handler is told.</summary>
    public void Abort()
    {
        lock (Sync)
        {
            foreach (var stream in _slots)
            {
                if (stream is not { Running: true } || stream.State == Http2StreamState.Closed) continue;
                if (stream.State is Http2StreamState.Open or Http2StreamState.HalfClosedRemote) _open--;
                stream.Reset();
            }
        }
    }

    private async Task EndAsync(Http2ErrorCode code, string? reason)
    {
        bool start;
        Task finished;
        lock (Sync)
        {
            if (!Writer.Failed && (_goAwayLastId == int.MaxValue || code != Http2ErrorCode.NoError))
            {
                _goAwayLastId = Math.Min(_goAwayLastId, _lastStreamId);
                Http2FrameWriter.GoAway(Writer.Output, _lastStreamId, code);
            }

            start = Writer.Queued();
            finished = _running == 0 ? Task.CompletedTask : (_allFinished ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }

        if (reason is not null) Log.Http2ConnectionError(_frontEnd.Logger, _frontEnd.Config.Name, PeerText, code.ToString(), reason);
        if (start) Writer.Start();
        var time = _frontEnd.Time;
        await Task.WhenAny(Writer.WhenIdleAsync(), Task.Delay(TimeSpan.FromSeconds(1), time));
        Abort();
        await Task.WhenAny(finished, Task.Delay(TimeSpan.FromSeconds(5), time));
        ReturnBuffer();
        lock (Sync) _noticeTimer?.Dispose();
        _timeout.Dispose();
    }

    private void CancelTimeout()
    {
        try
        {
            _timeout.Cancel();
        }
        catch (ObjectDisposedException)
        {
        }
    }

    // Under the lock: keep-alive-timeout runs while no stream does. The timer is touched only when that changes: a busy
    // connection reads many times a stream, and moving a timer is not free.
    private void ArmIdleTimer()
    {
        var idle = _running == 0;
        if (idle == _idleArmed && !idle) return;
        _idleArmed = idle;
        try
        {
            _timeout.CancelAfter(idle ? _frontEnd.Config.Limits.KeepAliveTimeout : Timeout.InfiniteTimeSpan);
        }
        catch (ObjectDisposedException)
        {
        }
    }

    // ---- reading ----

    private async ValueTask<int> ReadAsync()
    {
        bool idle;
        lock (Sync)
        {
            idle = _running == 0;
            if (_settingsSeen) ArmIdleTimer();
        }

        if (idle && _start == _end && _buffer.Length > 0)
        {
            // Between requests: a zero-byte read waits for the next frame and the connection holds no read buffer.
            ReturnBuffer();
            _ = await _stream.ReadAsync(Memory<byte>.Empty, _timeout.Token);
            RentBuffer();
        }

        return await FillAsync();
    }

    private async ValueTask<int> FillAsync()
    {
        if (_buffer.Length == 0) RentBuffer();
        if (_start == _end) _start = _end = 0;
        else if (_start > 0 && _buffer.Length - _end < MaxFrameSize + Http2FrameHeader.Size)
        {
            _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
            _end -= _start;
            _start = 0;
        }

        var read = await _stream.ReadAsync(_buffer.AsMemory(_end), _timeout.Token);
        _end += read;
        return read;
    }

    private void RentBuffer()
    {
        if (_buffer.Length == 0) _buffer = ArrayPool<byte>.Shared.Rent(ReadBuffer);
    }

    private void ReturnBuffer()
    {
        if (_buffer.Length == 0 || _start != _end) return;
        ArrayPool<byte>.Shared.Return(_buffer);
        _buffer = [];
        _start = _end = 0;
    }
}
