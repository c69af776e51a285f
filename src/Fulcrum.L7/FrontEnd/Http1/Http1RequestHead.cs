using Microsoft.AspNetCore.Http;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>
/// One request head as <see cref="Http1HeadParser"/> read it, checked against RFC 9112's framing rules. One per
/// connection, cleared per request; the header dictionary is kept, so its storage is reused.
/// </summary>
internal sealed class Http1RequestHead
{
    public string Method { get; set; } = "";
    /// <summary>The request target as sent (origin-form, or absolute-form, or `*`).</summary>
    public string Target { get; set; } = "";
    /// <summary>The target's path (origin-form; the path part of absolute-form), still percent-encoded.</summary>
    public string RawPath { get; set; } = "";
    /// <summary>The target's query with its `?`, or empty.</summary>
    public string RawQuery { get; set; } = "";
    public bool Http10 { get; set; }
    public HeaderDictionary Headers { get; } = new();
    public string? Host { get; set; }
    public Http1BodyFraming Framing { get; set; }
    public long ContentLength { get; set; }
    /// <summary>False after `Connection: close`, or for HTTP/1.0 without `Connection: keep-alive`.</summary>
    public bool KeepAlive { get; set; }
    /// <summary>`Expect: 100-continue` on a request with a body.</summary>
    public bool ExpectContinue { get; set; }
    /// <summary>The request asks to switch protocols (`Upgrade` named in `Connection`); this front end does not.</summary>
    public bool Upgrade { get; set; }

    public void Clear()
    {
        Method = Target = RawPath = RawQuery = "";
        Http10 = false;
        Headers.Clear();
        Host = null;
        Framing = Http1BodyFraming.None;
        ContentLength = 0;
        KeepAlive = true;
        ExpectContinue = false;
        Upgrade = false;
    }
}
