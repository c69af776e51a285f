using System.Buffers;
using System.Buffers.Binary;

namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// Writes frames (RFC 9113 section 6) into a connection's output buffer; nothing is sent here, so every frame a loop
/// turn produces leaves in one write. A header block longer than the peer's SETTINGS_MAX_FRAME_SIZE continues in
/// CONTINUATION frames straight after its HEADERS frame, as section 4.3 requires.
/// </summary>
internal static class Http2FrameWriter
{
    public static void Settings(IBufferWriter<byte> output, ReadOnlySpan<(Http2SettingId Id, uint Value)> settings)
    {
        var span = Frame(output, 6 * settings.Length, Http2FrameType.Settings, Http2Flags.None, 0);
        foreach (var (id, value) in settings)
        {
            BinaryPrimitives.WriteUInt16BigEndian(span, (ushort)id);
            BinaryPrimitives.WriteUInt32BigEndian(span[2..], value);
            span = span[6..];
        }

        output.Advance(Http2FrameHeader.Size + 6 * settings.Length);
    }

    public static void SettingsAck(IBufferWriter<byte> output)
    {
        Frame(output, 0, Http2FrameType.Settings, Http2Flags.Ack, 0);
        output.Advance(Http2FrameHeader.Size);
    }

    public static void Ping(IBufferWriter<byte> output, ReadOnlySpan<byte> opaque, bool ack)
    {
        opaque[..8].CopyTo(Frame(output, 8, Http2FrameType.Ping, ack ? Http2Flags.Ack : Http2Flags.None, 0));
        output.Advance(Http2FrameHeader.Size + 8);
    }

    public static void GoAway(IBufferWriter<byte> output, int lastStreamId, Http2ErrorCode code)
    {
        var span = Frame(output, 8, Http2FrameType.GoAway, Http2Flags.None, 0);
        BinaryPrimitives.WriteUInt32BigEndian(span, (uint)lastStreamId);
        BinaryPrimitives.WriteUInt32BigEndian(span[4..], (uint)code);
        output.Advance(Http2FrameHeader.Size + 8);
    }

    public static void RstStream(IBufferWriter<byte> output, int streamId, Http2ErrorCode code)
    {
        BinaryPrimitives.WriteUInt32BigEndian(Frame(output, 4, Http2FrameType.RstStream, Http2Flags.None, streamId), (uint)code);
        output.Advance(Http2FrameHeader.Size + 4);
    }

    public static void WindowUpdate(IBufferWriter<byte> output, int streamId, int increment)
    {
        BinaryPrimitives.WriteUInt32BigEndian(Frame(output, 4, Http2FrameType.WindowUpdate, Http2Flags.None, streamId), (uint)increment);
        output.Advance(Http2FrameHeader.Size + 4);
    }

    /// <summary>One DATA frame; the caller keeps <paramref name="data"/> within the peer's frame size and windows.</summary>
    public static void Data(IBufferWriter<byte> output, int streamId, ReadOnlySpan<byte> data, bool endStream)
    {
        data.CopyTo(Frame(output, data.Length, Http2FrameType.Data, endStream ? Http2Flags.EndStream : Http2Flags.None, streamId));
        output.Advance(Http2FrameHeader.Size + data.Length);
    }

    /// <summary>A header block as HEADERS and, past <paramref name="maxFrameSize"/>, CONTINUATION frames.</summary>
    public static void Headers(IBufferWriter<byte> output, int streamId, ReadOnlySpan<byte> block, bool endStream, int maxFrameSize)
    {
        var first = Math.Min(block.Length, maxFrameSize);
        var flags = (byte)((endStream ? Http2Flags.EndStream : 0) | (first == block.Length ? Http2Flags.EndHeaders : 0));
        block[..first].CopyTo(Frame(output, first, Http2FrameType.Headers, flags, streamId));
        output.Advance(Http2FrameHeader.Size + first);
        block = block[first..];
        while (!block.IsEmpty)
        {
            var next = Math.Min(block.Length, maxFrameSize);
            block[..next].CopyTo(Frame(output, next, Http2FrameType.Continuation, next == block.Length ? Http2Flags.EndHeaders : Http2Flags.None, streamId));
            output.Advance(Http2FrameHeader.Size + next);
            block = block[next..];
        }
    }

    // The frame's header written, its payload's span returned; the caller advances past both.
    private static Span<byte> Frame(IBufferWriter<byte> output, int length, Http2FrameType type, byte flags, int streamId)
    {
        var span = output.GetSpan(Http2FrameHeader.Size + length);
        new Http2FrameHeader(length, type, flags, streamId).Write(span);
        return span.Slice(Http2FrameHeader.Size, length);
    }
}
