namespace Fulcrum.Fuzz.Targets;

/// <summary>
/// The reference reading for <see cref="Http2FramesTarget"/>: the whole connection at once, frame by frame
/// (RFC 9113 sections 3.4 and 4.1: a 24-byte preface, then 9-byte headers each followed by its payload), counting
/// the CONTINUATION frames of each open header block (section 6.10). Written plainly, without buffers or state
/// carried between reads, so it can judge the streaming guard.
/// </summary>
internal static class Http2FrameModel
{
    public static bool ExceedsContinuations(ReadOnlySpan<byte> connection, int max)
    {
        long at = 24;
        var continuations = -1;
        while (at + 9 <= connection.Length)
        {
            var header = connection.Slice((int)at, 9);
            var length = (header[0] << 16) | (header[1] << 8) | header[2];
            var type = header[3];
            var endsBlock = (header[4] & 0x4) != 0;
            if (type is 0x1 or 0x5) continuations = endsBlock ? -1 : 0;
            else if (type == 0x9 && continuations >= 0)
            {
                if (++continuations > max) return true;
                if (endsBlock) continuations = -1;
            }

            at += 9 + length;
        }

        return false;
    }
}
