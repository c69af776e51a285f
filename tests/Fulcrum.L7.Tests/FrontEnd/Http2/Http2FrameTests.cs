using System.Buffers;
using Fulcrum.L7.FrontEnd.Http2;

namespace Fulcrum.L7.Tests.FrontEnd.Http2;

/// <summary>Frames written by <see cref="Http2FrameWriter"/> read back through <see cref="Http2FrameReader"/> (RFC 9113 sections 4 and 6).</summary>
public sealed class Http2FrameTests
{
    private static List<(Http2FrameHeader Header, byte[] Payload)> ReadAll(ReadOnlySpan<byte> bytes, int maxFrameSize = 16384)
    {
        var frames = new List<(Http2FrameHeader, byte[])>();
        while (Http2FrameReader.TryRead(bytes, maxFrameSize, out var header) == Http2ReadStatus.Frame)
        {
            frames.Add((header, bytes.Slice(Http2FrameHeader.Size, header.Length).ToArray()));
            bytes = bytes[(Http2FrameHeader.Size + header.Length)..];
        }

        Assert.True(bytes.IsEmpty);
        return frames;
    }

    [Fact]
    public void ControlFrames_RoundTrip()
    {
        var output = new ArrayBufferWriter<byte>();
        Http2FrameWriter.Settings(output, [(Http2SettingId.MaxConcurrentStreams, 100), (Http2SettingId.InitialWindowSize, 1 << 20)]);
        Http2FrameWriter.SettingsAck(output);
        Http2FrameWriter.Ping(output, "12345678"u8, ack: true);
        Http2FrameWriter.GoAway(output, 7, Http2ErrorCode.EnhanceYourCalm);
        Http2FrameWriter.RstStream(output, 3, Http2ErrorCode.Cancel);
        Http2FrameWriter.WindowUpdate(output, 0, 1000);
        Http2FrameWriter.Data(output, 5, "abc"u8, endStream: true);

        var frames = ReadAll(output.WrittenSpan);

        Assert.Equal([Http2FrameType.Settings, Http2FrameType.Settings, Http2FrameType.Ping, Http2FrameType.GoAway, Http2FrameType.RstStream,
            Http2FrameType.WindowUpdate, Http2FrameType.Data], frames.Select(f => f.Header.Type));
        Assert.Equal(12, frames[0].Header.Length);
        Assert.True(frames[1].Header.Has(Http2Flags.Ack));
        Assert.Equal("12345678"u8.ToArray(), frames[2].Payload);
        Assert.Equal(new byte[] { 0, 0, 0, 7, 0, 0, 0, 0xb }, frames[3].Payload);
        Assert.Equal(3, frames[4].Header.StreamId);
        Assert.Equal(new byte[] { 0, 0, 0x03, 0xe8 }, frames[5].Payload);
        Assert.True(frames[6].Header.Has(Http2Flags.EndStream));
        Assert.Equal("abc"u8.ToArray(), frames[6].Payload);
    }

    [Fact]
    public void HeaderBlock_LongerThanTheFrameSize_ContinuesInContinuationFrames()
    {
        var block = Enumerable.Range(0, 40000).Select(i => (byte)i).ToArray();
        var output = new ArrayBufferWriter<byte>();
        Http2FrameWriter.Headers(output, 1, block, endStream: true, maxFrameSize: 16384);

        var frames = ReadAll(output.WrittenSpan);

        Assert.Equal([Http2FrameType.Headers, Http2FrameType.Continuation, Http2FrameType.Continuation], frames.Select(f => f.Header.Type));
        Assert.Equal([Http2Flags.EndStream, Http2Flags.None, Http2Flags.EndHeaders], frames.Select(f => f.Header.Flags));
        Assert.Equal(block, frames.SelectMany(f => f.Payload));
    }

    [Fact]
    public void Reader_WaitsForAWholeFrame_AndRefusesOneLongerThanAnnounced()
    {
        var output = new ArrayBufferWriter<byte>();
        Http2FrameWriter.Data(output, 1, new byte[100], endStream: false);
        Assert.Equal(Http2ReadStatus.NeedMore, Http2FrameReader.TryRead(output.WrittenSpan[..8], 16384, out _));
        Assert.Equal(Http2ReadStatus.NeedMore, Http2FrameReader.TryRead(output.WrittenSpan[..50], 16384, out _));
        Assert.Equal(Http2ReadStatus.TooLarge, Http2FrameReader.TryRead(output.WrittenSpan[..9], 99, out _));
        Assert.Equal(Http2ReadStatus.Frame, Http2FrameReader.TryRead(output.WrittenSpan, 16384, out var header));
        Assert.Equal(100, header.Length);
    }

    [Theory]
    [InlineData(new byte[] { 2, 7, 8, 0, 0 }, true, new byte[] { 7, 8 })]
    [InlineData(new byte[] { 0 }, true, new byte[0])]
    [InlineData(new byte[] { 4, 1, 2, 3 }, false, null)] // padding as long as the payload: PROTOCOL_ERROR
    public void Padding_IsTakenOff_OrRefused(byte[] payload, bool valid, byte[]? content)
    {
        Assert.Equal(valid, Http2FrameReader.TryStripPadding(Http2Flags.Padded, payload, out var data));
        if (valid) Assert.Equal(content, data.ToArray());
    }
}
