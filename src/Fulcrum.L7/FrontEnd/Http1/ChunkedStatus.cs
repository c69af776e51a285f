namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>What <see cref="ChunkedDecoder.Next"/> found.</summary>
internal enum ChunkedStatus
{
    /// <summary>The framing so far is fine; more bytes are needed.</summary>
    NeedMore,
    /// <summary>Chunk data starts right after the bytes consumed: take up to <see cref="ChunkedDecoder.Remaining"/> of it.</summary>
    Data,
    /// <summary>The last chunk and the trailer section are read: the body is over.</summary>
    End,
    /// <summary>The framing breaks RFC 9112 section 7.1: the connection cannot be read further.</summary>
    Invalid,
}
