using System.Buffers;
using System.IO.Pipelines;

namespace Fulcrum.L7.Hosting;

/// <summary>
/// Reads an HTTP/2 connection's frame headers as Kestrel consumes the bytes and cuts the connection when one header
/// block runs to more than <see cref="MaxContinuations"/> CONTINUATION frames. Kestrel bounds a header block's decoded
/// size but not its number of frames, so a flood of empty CONTINUATION frames (the 2024 "CONTINUATION flood" family;
/// no Kestrel advisory exists) would hold a connection and a core for as long as the client likes. A real client
/// needs at most a few: a 16 KiB frame carries half of the default 32 KiB header budget.
/// </summary>
internal sealed class ContinuationGuard(PipeReader inner, Action abort) : PipeReader
{
    public const int MaxContinuations = 32;

    private const int PrefaceLength = 24;
    private const int HeaderLength = 9;
    private const byte Headers = 0x1, PushPromise = 0x5, Continuation = 0x9;
    private const byte EndHeaders = 0x4;

    private ReadOnlySequence<byte> _last;
    private readonly byte[] _header = new byte[HeaderLength];
    private int _headerFill;          // bytes of the next frame header gathered so far
    private long _scanned;            // bytes of _last already read through
    private long _skip = PrefaceLength; // bytes to pass before the next frame header (the preface, then a frame's payload)
    private int _continuations = -1;  // CONTINUATION frames in the open header block; -1 when no block is open

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await inner.ReadAsync(cancellationToken);
        Scan(result.Buffer);
        return result;
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result)) return false;
        Scan(result.Buffer);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _scanned -= _last.Slice(0, consumed).Length;
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    // Reads every byte the consumer was given, so whatever it consumes has been seen: a frame header split across
    // reads is gathered in _header.
    private void Scan(ReadOnlySequence<byte> buffer)
    {
        _last = buffer;
        var rest = buffer.Slice(_scanned);
        _scanned = buffer.Length;
        while (rest.Length > 0)
        {
            if (_skip > 0)
            {
                var pass = Math.Min(_skip, rest.Length);
                _skip -= pass;
                rest = rest.Slice(pass);
                continue;
            }

            var take = (int)Math.Min(HeaderLength - _headerFill, rest.Length);
            rest.Slice(0, take).CopyTo(_header.AsSpan(_headerFill));
            _headerFill += take;
            rest = rest.Slice(take);
            if (_headerFill < HeaderLength) return;
            _headerFill = 0;
            if (!OnFrame()) return;
        }
    }

    // One frame header read: false when the connection was cut.
    private bool OnFrame()
    {
        _skip = (_header[0] << 16) | (_header[1] << 8) | _header[2];
        var type = _header[3];
        var endsBlock = (_header[4] & EndHeaders) != 0;
        if (type is Headers or PushPromise) _continuations = endsBlock ? -1 : 0;
        else if (type == Continuation && _continuations >= 0)
        {
            if (++_continuations > MaxContinuations)
            {
                abort();
                return false;
            }

            if (endsBlock) _continuations = -1;
        }

        return true;
    }
}
