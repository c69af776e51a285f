namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>Frame flags (RFC 9113 section 6); their meaning depends on the frame type.</summary>
internal static class Http2Flags
{
    public const byte None = 0x0;
    /// <summary>SETTINGS and PING: this frame answers the peer's.</summary>
    public const byte Ack = 0x1;
    /// <summary>DATA and HEADERS: the sender's last frame on this stream.</summary>
    public const byte EndStream = 0x1;
    /// <summary>HEADERS and CONTINUATION: the header block ends in this frame.</summary>
    public const byte EndHeaders = 0x4;
    /// <summary>DATA and HEADERS: a pad length byte leads the payload and padding trails it.</summary>
    public const byte Padded = 0x8;
    /// <summary>HEADERS: five bytes of priority (deprecated by RFC 9113, still parsed) lead the block.</summary>
    public const byte Priority = 0x20;
}
