using System.Buffers;
using Fulcrum.L7.FrontEnd.Http2;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.Tests.FrontEnd.Http2;

/// <summary>The HPACK decoder and encoder against RFC 7541 Appendix C, and the limits a hostile block meets.</summary>
public sealed class HpackTests
{
    private sealed class Fields : IHpackSink
    {
        public List<(string Name, string Value)> Items { get; } = [];
        public void OnHeader(string name, string value) => Items.Add((name, value));
    }

    private static List<(string Name, string Value)> Decode(HpackDecoder decoder, string hex)
    {
        var fields = new Fields();
        Assert.Equal(HpackStatus.Done, decoder.Decode(Convert.FromHexString(hex), fields));
        return fields.Items;
    }

    private static void AssertFields(List<(string Name, string Value)> actual, params (string Name, string Value)[] expected)
    {
        Assert.Equal(expected.Length, actual.Count);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i].Name, actual[i].Name, ignoreCase: true);
            Assert.Equal(expected[i].Value, actual[i].Value);
        }
    }

    private static void AssertTable(HpackDynamicTable table, int size, params (string Name, string Value)[] newestFirst)
    {
        Assert.Equal(size, table.Size);
        Assert.Equal(newestFirst.Length, table.Count);
        for (var i = 0; i < newestFirst.Length; i++)
        {
            Assert.Equal(newestFirst[i].Name, table[i].Name, ignoreCase: true);
            Assert.Equal(newestFirst[i].Value, table[i].Value);
        }
    }

    [Theory]
    [InlineData(5, 10, "0a")]          // C.1.1
    [InlineData(5, 1337, "1f9a0a")]    // C.1.2
    [InlineData(8, 42, "2a")]          // C.1.3
    public void Integers_EncodeAndDecode_AsAppendixC1(int prefix, int value, string hex)
    {
        var output = new ArrayBufferWriter<byte>();
        HpackEncoder.WriteInteger(output, 0, prefix, value);
        Assert.Equal(hex, Convert.ToHexString(output.WrittenSpan).ToLowerInvariant());
        var position = 0;
        Assert.True(HpackDecoder.TryReadInteger(Convert.FromHexString(hex), ref position, prefix, out var read));
        Assert.Equal(value, read);
    }

    [Fact]
    public void LiteralWithIndexing_AddsToTheTable_C21()
    {
        var decoder = new HpackDecoder(4096, 65536);
        AssertFields(Decode(decoder, "400a637573746f6d2d6b65790d637573746f6d2d686561646572"), ("custom-key", "custom-header"));
        AssertTable(decoder.Table, 55, ("custom-key", "custom-header"));
    }

    [Theory]
    [InlineData("040c2f73616d706c652f70617468", ":path", "/sample/path")]   // C.2.2 without indexing
    [InlineData("100870617373776f726406736563726574", "password", "secret")] // C.2.3 never indexed
    [InlineData("82", ":method", "GET")]                                   // C.2.4 indexed
    public void OtherRepresentations_LeaveTheTableEmpty_C22To24(string hex, string name, string value)
    {
        var decoder = new HpackDecoder(4096, 65536);
        AssertFields(Decode(decoder, hex), (name, value));
        AssertTable(decoder.Table, 0);
    }

    [Theory]
    [InlineData(false)] // C.3
    [InlineData(true)]  // C.4, the same requests Huffman-coded
    public void Requests_OnOneConnection_ShareTheDynamicTable_C3AndC4(bool huffman)
    {
        var blocks = huffman
            ? new[] { "828684418cf1e3c2e5f23a6ba0ab90f4ff", "828684be5886a8eb10649cbf", "828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf" }
            : ["828684410f7777772e6578616d706c652e636f6d", "828684be58086e6f2d6361636865", "828785bf400a637573746f6d2d6b65790c637573746f6d2d76616c7565"];
        var decoder = new HpackDecoder(4096, 65536);

        AssertFields(Decode(decoder, blocks[0]), (":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"));
        AssertTable(decoder.Table, 57, (":authority", "www.example.com"));

        AssertFields(Decode(decoder, blocks[1]), (":method", "GET"), (":scheme", "http"), (":path", "/"), (":authority", "www.example.com"), ("cache-control", "no-cache"));
        AssertTable(decoder.Table, 110, ("cache-control", "no-cache"), (":authority", "www.example.com"));

        AssertFields(Decode(decoder, blocks[2]), (":method", "GET"), (":scheme", "https"), (":path", "/index.html"), (":authority", "www.example.com"), ("custom-key", "custom-value"));
        AssertTable(decoder.Table, 164, ("custom-key", "custom-value"), ("cache-control", "no-cache"), (":authority", "www.example.com"));
    }

    [Theory]
    [InlineData(false)] // C.5
    [InlineData(true)]  // C.6
    public void Responses_EvictTheOldestEntries_InA256ByteTable_C5AndC6(bool huffman)
    {
        var blocks = huffman
            ? new[]
            {
                "488264025885aec3771a4b6196d07abe941054d444a8200595040b8166e082a62d1bff6e919d29ad171863c78f0b97c8e9ae82ae43d3",
                "4883640effc1c0bf",
                "88c16196d07abe941054d444a8200595040b8166e084a62d1bffc05a839bd9ab77ad94e7821dd7f2e6c7b335dfdfcd5b3960d5af27087f3672c1ab270fb5291f9587316065c003ed4ee5b1063d5007",
            }
            :
            [
                "4803333032580770726976617465611d4d6f6e2c203231204f637420323031332032303a31333a323120474d546e1768747470733a2f2f7777772e6578616d706c652e636f6d",
                "4803333037c1c0bf",
                "88c1611d4d6f6e2c203231204f637420323031332032303a31333a323220474d54c05a04677a69707738666f6f3d4153444a4b48514b425a584f5157454f50495541585157454f49553b206d61782d6167653d333630303b2076657273696f6e3d31",
            ];
        var decoder = new HpackDecoder(256, 65536);
        const string Date1 = "Mon, 21 Oct 2013 20:13:21 GMT", Date2 = "Mon, 21 Oct 2013 20:13:22 GMT", Location = "https://www.example.com";
        const string Cookie = "foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1";

        AssertFields(Decode(decoder, blocks[0]), (":status", "302"), ("cache-control", "private"), ("date", Date1), ("location", Location));
        AssertTable(decoder.Table, 222, ("location", Location), ("date", Date1), ("cache-control", "private"), (":status", "302"));

        AssertFields(Decode(decoder, blocks[1]), (":status", "307"), ("cache-control", "private"), ("date", Date1), ("location", Location));
        AssertTable(decoder.Table, 222, (":status", "307"), ("location", Location), ("date", Date1), ("cache-control", "private"));

        AssertFields(Decode(decoder, blocks[2]), (":status", "200"), ("cache-control", "private"), ("date", Date2), ("location", Location),
            ("content-encoding", "gzip"), ("set-cookie", Cookie));
        AssertTable(decoder.Table, 215, ("set-cookie", Cookie), ("content-encoding", "gzip"), ("date", Date2));
    }

    [Theory]
    [InlineData("www.example.com", "f1e3c2e5f23a6ba0ab90f4ff")]
    [InlineData("no-cache", "a8eb10649cbf")]
    [InlineData("custom-key", "25a849e95ba97d7f")]
    [InlineData("custom-value", "25a849e95bb8e8b4bf")]
    [InlineData("302", "6402")]
    [InlineData("Mon, 21 Oct 2013 20:13:21 GMT", "d07abe941054d444a8200595040b8166e082a62d1bff")]
    public void Huffman_EncodesAndDecodes_AsAppendixC(string text, string hex)
    {
        var plain = System.Text.Encoding.ASCII.GetBytes(text);
        var encoded = new byte[HpackHuffman.EncodedLength(plain)];
        Assert.Equal(encoded.Length, HpackHuffman.Encode(plain, encoded));
        Assert.Equal(hex, Convert.ToHexString(encoded).ToLowerInvariant());
        var decoded = new byte[64];
        Assert.Equal(text, System.Text.Encoding.ASCII.GetString(decoded, 0, HpackHuffman.Decode(encoded, decoded)));
    }

    [Fact]
    public void Huffman_EveryByte_RoundTrips()
    {
        var all = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var encoded = new byte[HpackHuffman.EncodedLength(all)];
        HpackHuffman.Encode(all, encoded);
        var decoded = new byte[512];
        Assert.Equal(all, decoded.AsSpan(0, HpackHuffman.Decode(encoded, decoded)).ToArray());
    }

    [Theory]
    [InlineData("ff")]       // padding of 8 bits (section 5.2: longer than 7 is an error)
    [InlineData("f1e3c2e5f23a6ba0ab90f4fe")] // padding that is not all ones
    public void Huffman_BadPadding_IsRefused(string hex) =>
        Assert.Equal(-1, HpackHuffman.Decode(Convert.FromHexString(hex), new byte[64]));

    [Theory]
    [InlineData("80")]           // index 0
    [InlineData("be")]           // index 62 with an empty dynamic table
    [InlineData("82" + "3fe11f")] // a table size update after a field (section 4.2)
    [InlineData("3fe21f")]       // a table size update to 4097, above the setting
    [InlineData("400a6375")]     // a literal that runs past the block
    [InlineData("ff8080808080")] // an integer past 2^28
    public void MalformedBlocks_AreCompressionErrors(string hex) =>
        Assert.Equal(HpackStatus.Invalid, new HpackDecoder(4096, 65536).Decode(Convert.FromHexString(hex), new Fields()));

    [Fact]
    public void UppercaseLiteralName_IsFlagged()
    {
        var decoder = new HpackDecoder(4096, 65536);
        Decode(decoder, "0003466f6f0162"); // Foo: b
        Assert.True(decoder.SawInvalidName);
        Decode(decoder, "0003666f6f0162"); // foo: b
        Assert.False(decoder.SawInvalidName);
    }

    [Fact]
    public void HeaderList_PastItsLimit_IsTooLarge_AndFarPastIt_Stops()
    {
        // One 4000-byte field put in the table, then referenced by index (one byte) again and again: the HPACK bomb.
        var first = new ArrayBufferWriter<byte>();
        first.Write(Convert.FromHexString("40" + "06782d626f6d62")); // literal with indexing, name x-bomb
        HpackEncoder.WriteInteger(first, 0, 7, 4000);
        first.Write(Enumerable.Repeat((byte)'b', 4000).ToArray());
        var fields = new Fields();
        var decoder = new HpackDecoder(8192, 16 * 1024);

        Assert.Equal(HpackStatus.TooLarge, decoder.Decode([.. first.WrittenSpan, .. Enumerable.Repeat((byte)0xbe, 4)], fields));
        Assert.Equal(4, fields.Items.Count); // the fields within the limit reached the sink

        Assert.Equal(HpackStatus.Excessive, decoder.Decode(Enumerable.Repeat((byte)0xbe, 20000).ToArray(), new Fields()));
    }

    [Fact]
    public void Encoder_WritesLowercaseNames_DropsConnectionFields_AndDecodesBack()
    {
        var headers = new HeaderDictionary
        {
            ["Content-Type"] = "text/plain",
            ["X-Served-By"] = "a",
            ["Connection"] = "close",
            ["Transfer-Encoding"] = "chunked",
            ["Set-Cookie"] = new(["a=1", "b=2"]),
        };
        var output = new ArrayBufferWriter<byte>();
        var encoder = new HpackEncoder();
        encoder.EncodeResponse(output, 200, headers);
        encoder.EncodeResponse(output, 418, new HeaderDictionary());

        var fields = new Fields();
        Assert.Equal(HpackStatus.Done, new HpackDecoder(4096, 65536).Decode(output.WrittenSpan, fields));
        Assert.Equal(
            [(":status", "200"), ("Content-Type", "text/plain"), ("x-served-by", "a"), ("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), (":status", "418")],
            fields.Items);
        Assert.Equal(0x20, output.WrittenSpan[0]); // the table size update to 0 leads the first block
    }
}
