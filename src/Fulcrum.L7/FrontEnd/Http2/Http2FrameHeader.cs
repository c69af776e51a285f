using System.Buffers.Binary;

namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>The nine bytes before every frame's payload (RFC 9113 section 4.1): length, type, flags, stream id.</summary>
internal readonly record struct Http2FrameHeader(int Length, Http2FrameType Type, byte Flags, int StreamId)
{
    public const int Size = 9;

    public bool Has(byte flag) => (Flags & flag) != 0;

    /// <summary>Reads a header; the stream id's reserved top bit is dropped, as the RFC says a receiver must.</summary>
    public static Http2FrameHeader Read(ReadOnlySpan<byte> source) => new(
        source[0] << 16 | source[1] << 8 | source[2],
        (Http2FrameType)source[3],
        source[4],
        (int)(BinaryPrimitives.ReadUInt32BigEndian(source[5..]) & 0x7FFF_FFFF));

    public void Write(Span<byte> destination)
    {
        destination[0] = (byte)(Length >> 16);
        destination[1] = (byte)(Length >> 8);
        destination[2] = (byte)Length;
        destination[3] = (byte)Type;
        destination[4] = Flags;
        BinaryPrimitives.WriteUInt32BigEndian(destination[5..], (uint)StreamId);
    }
}
