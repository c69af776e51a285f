using Fulcrum.L7.BackendHttp;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// The framing of a chunked request body (RFC 9112 section 7.1), strict as the backend leg is with answers: a chunk
/// size is 1 to 15 hex digits (it cannot overflow), extensions are well-formed and the whole line is bounded, every
/// line ends in CRLF (a bare LF in an extension was Kestrel's CVE-2025-55315), the data is followed by CRLF exactly, and
/// trailer fields are checked and dropped within the listener's header budget. A state machine over whatever bytes the
/// caller has, so it never buffers and a body of any size costs nothing but its reads.
/// </summary>
internal sealed class ChunkedDecoder
{
    /// <summary>A chunk-size line with its extensions, at most (Kestrel and nginx allow a few KiB too).</summary>
    public const int MaxChunkLine = 4096;

    private State _state;
    private int _trailerBytes;
    private int _maxTrailerBytes = 32 * 1024;

    private enum State
    {
        Size,
        Data,
        DataEnd,
        Trailers,
        Done,
    }

    /// <summary>Data bytes left in the current chunk.</summary>
    public long Remaining { get; private set; }

    /// <summary>The body's data bytes so far (for max-body-size).</summary>
    public long Total { get; private set; }

    public bool IsDone => _state == State.Done;

    public void Reset(int maxTrailerBytes)
    {
        _state = State.Size;
        Remaining = 0;
        Total = 0;
        _trailerBytes = 0;
        _maxTrailerBytes = maxTrailerBytes;
    }

    /// <summary>
    /// Reads framing at the start of <paramref name="input"/>; <paramref name="consumed"/> bytes of it are used up
    /// whatever the status. On <see cref="ChunkedStatus.Data"/> the data starts at input[consumed..].
    /// </summary>
    public ChunkedStatus Next(ReadOnlySpan<byte> input, out int consumed)
    {
        consumed = 0;
        while (true)
        {
            var rest = input[consumed..];
            switch (_state)
            {
                case State.Data:
                    return rest.IsEmpty ? ChunkedStatus.NeedMore : ChunkedStatus.Data;
                case State.Done:
                    return ChunkedStatus.End;
                case State.DataEnd:
                    if (rest.Length < 2) return rest.Length == 1 && rest[0] != (byte)'\r' ? ChunkedStatus.Invalid : ChunkedStatus.NeedMore;
                    if (rest[0] != (byte)'\r' || rest[1] != (byte)'\n') return ChunkedStatus.Invalid;
                    consumed += 2;
                    _state = State.Size;
                    continue;
            }

            var end = HttpSyntax.FindLineEnd(rest);
            if (end == int.MinValue) return ChunkedStatus.Invalid;
            if (end == -1)
            {
                var budget = _state == State.Size ? MaxChunkLine : _maxTrailerBytes - _trailerBytes;
                return rest.Length > budget ? ChunkedStatus.Invalid : ChunkedStatus.NeedMore;
            }

            var line = rest[..end];
            consumed += end + 2;
            if (_state == State.Size)
            {
                if (end > MaxChunkLine || !HttpSyntax.TryParseChunkLine(line, out var size)) return ChunkedStatus.Invalid;
                if (size == 0)
                {
                    _state = State.Trailers;
                    continue;
                }

                Remaining = size;
                _state = State.Data;
                continue;
            }

            // Trailers: an empty line ends the message.
            if (end == 0)
            {
                _state = State.Done;
                return ChunkedStatus.End;
            }

            _trailerBytes += end + 2;
            if (_trailerBytes > _maxTrailerBytes || !HttpSyntax.TrySplitField(line, out _, out _)) return ChunkedStatus.Invalid;
        }
    }

    /// <summary>The caller took <paramref name="count"/> bytes of the current chunk's data.</summary>
    public void Took(int count)
    {
        Remaining -= count;
        Total += count;
        if (Remaining == 0) _state = State.DataEnd;
    }
}
