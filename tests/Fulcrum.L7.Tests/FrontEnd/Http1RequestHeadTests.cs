using System.Text;
using Fulcrum.L7.BackendHttp;
using Fulcrum.L7.FrontEnd.Http1;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Tests.FrontEnd;

/// <summary>The request head kept as bytes with edits beside it reads, writes and builds as the header dictionary did.</summary>
public sealed class Http1RequestHeadTests
{
    private const string Text = "GET / HTTP/1.1\r\nhost: a\r\nX-A: one\r\nx-a: two\r\nConnection: X-Hop\r\nX-Hop: 1\r\nX-Keep:  k \r\nX-Empty:\r\n\r\n";

    private static Http1RequestHead Parse(string text)
    {
        var head = new Http1RequestHead();
        var result = Http1HeadParser.Parse(Encoding.Latin1.GetBytes(text), new Http1Limits(8192, 32768, 100), head);
        Assert.Equal(Http1ParseStatus.Done, result.Status);
        return head;
    }

    // The same edits through the byte head and straight on the dictionary the parser used to build.
    private static void Edit(Func<string, StringValues> get, Action<string, StringValues> set, Func<string, bool> remove)
    {
        set("X-Keep", StringValues.Concat(get("X-Keep"), "more"));
        set("X-New", "n");
        remove("x-hop");
        remove("X-Absent");
        set("X-A", "replaced");
        set("X-New", "n2");
        set("X-Empty", StringValues.Empty);
    }

    [Fact]
    public void Edits_WhileBytes_LeaveTheSameHeaders_AsEditsOnTheDictionary()
    {
        var bytes = Parse(Text);
        Edit(bytes.Get, bytes.Set, bytes.Remove);
        Assert.True(bytes.IsBytes);
        Assert.Equal("replaced", bytes.Get("x-a").ToString());
        Assert.False(bytes.Contains("X-Hop"));

        var dictionary = Parse(Text);
        var headers = dictionary.Headers;
        Edit(name => headers[name], (name, value) => headers[name] = value, headers.Remove);

        var built = bytes.Headers;
        Assert.False(bytes.IsBytes);
        Assert.Equal(headers.OrderBy(h => h.Key).Select(h => $"{h.Key}={h.Value}"), built.OrderBy(h => h.Key).Select(h => $"{h.Key}={h.Value}"));
    }

    [Fact]
    public void WrittenFields_LeaveOutHopByHopAndEditedNames_AndSpellKnownNamesTheUsualWay()
    {
        var head = Parse(Text);
        head.Remove("X-Hop");
        head.Set("X-A", "edited");
        var buffer = new byte[head.FieldsLength];

        var written = head.WriteFields(buffer, out var hasHost);

        Assert.True(hasHost);
        Assert.Equal("Host: a\r\nX-Keep: k\r\nX-Empty: \r\n", Encoding.Latin1.GetString(buffer, 0, written));
        Assert.Equal(new[] { "X-Hop", "X-A" }, head.Edits.Items.ToArray().Select(e => e.Key));
    }

    [Fact]
    public void RequestHeadWriter_PutsTheEditsAfterTheClientsLines()
    {
        var head = Parse(Text);
        head.Set("X-A", "edited");
        var request = RequestHead.Rent(64);
        try
        {
            request.WriteHead("GET", "/p", "?q", head, chunked: false, "backend:80");
            Assert.Equal("GET /p?q HTTP/1.1\r\nHost: a\r\nX-Hop: 1\r\nX-Keep: k\r\nX-Empty: \r\nX-A: edited\r\n\r\n", Encoding.Latin1.GetString(request.Buffer, 0, request.Length));
        }
        finally
        {
            request.Return();
        }
    }
}
