namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>What decoding a header block came to.</summary>
internal enum HpackStatus
{
    Done,
    /// <summary>The block breaks RFC 7541 (a bad index, integer or Huffman string, a misplaced or too large table size update): COMPRESSION_ERROR.</summary>
    Invalid,
    /// <summary>The decoded fields exceed the header list limit; the block was decoded to its end (the table is in step), the fields past the limit dropped: a 431.</summary>
    TooLarge,
    /// <summary>The fields exceed four times the limit; decoding stopped, so the table may be out of step: a connection error.</summary>
    Excessive,
}
