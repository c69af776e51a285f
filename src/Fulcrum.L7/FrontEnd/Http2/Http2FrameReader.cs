namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// Finds the next whole frame in what a connection has read (RFC 9113 section 4), and takes a padded frame's padding
/// off (section 6.1). Sizes are checked before a byte of payload is waited for: a frame longer than the
/// SETTINGS_MAX_FRAME_SIZE this side announced is a FRAME_SIZE_ERROR (section 4.2).
/// </summary>
internal static class Http2FrameReader
{
    /// <summary>The frame at the start of <paramref name="buffer"/>: whole, not yet whole, or too long.</summary>
    public static Http2ReadStatus TryRead(ReadOnlySpan<byte> buffer, int maxFrameSize, out Http2FrameHeader header)
    {
        header = default;
        if (buffer.Length < Http2FrameHeader.Size) return Http2ReadStatus.NeedMore;
        header = Http2FrameHeader.Read(buffer);
        if (header.Length > maxFrameSize) return Http2ReadStatus.TooLarge;
        return buffer.Length - Http2FrameHeader.Size >= header.Length ? Http2ReadStatus.Frame : Http2ReadStatus.NeedMore;
    }

    /// <summary>
    /// The payload without its padding (DATA and HEADERS with PADDED); false when the pad length is as long as the
    /// payload or longer, a PROTOCOL_ERROR (section 6.1).
    /// </summary>
    public static bool TryStripPadding(byte flags, ReadOnlySpan<byte> payload, out ReadOnlySpan<byte> content)
    {
        content = payload;
        if ((flags & Http2Flags.Padded) == 0) return true;
        if (payload.Length < 1) return false;
        var pad = payload[0];
        if (pad >= payload.Length) return false;
        content = payload[1..^pad];
        return true;
    }
}
