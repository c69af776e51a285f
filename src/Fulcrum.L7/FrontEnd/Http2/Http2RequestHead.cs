using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>
/// One request's header block as the HPACK decoder hands it over, checked as RFC 9113 section 8 says a server must:
/// pseudo-headers first, once each, known ones only; no connection-specific fields; `te` only as `trailers`; values
/// without NUL, CR, LF or surrounding whitespace; one Content-Length of digits. What breaks a rule makes the request
/// malformed (a stream error, section 8.1.1). One per stream slot, cleared per request, its dictionary reused.
/// </summary>
internal sealed class Http2RequestHead : IHpackSink
{
    public string? Method { get; private set; }
    public string? Scheme { get; private set; }
    public string? Authority { get; private set; }
    /// <summary>`:path` as sent: the path, still percent-encoded, and the query with its `?`.</summary>
    public string? Target { get; private set; }
    public string? ConnectProtocol { get; private set; }
    /// <summary>An extended CONNECT for a WebSocket (RFC 8441), valid: relayed to the backend as an HTTP/1.1 upgrade.</summary>
    public bool IsWebSocket { get; private set; }
    public HeaderDictionary Headers { get; } = new();
    /// <summary>The declared body length, -1 when none was given.</summary>
    public long ContentLength { get; private set; } = -1;
    /// <summary>Why the request is malformed, or null.</summary>
    public string? Malformed { get; private set; }
    private bool _regularSeen;

    public void Clear()
    {
        Method = Scheme = Authority = Target = ConnectProtocol = Malformed = null;
        IsWebSocket = false;
        Headers.Clear();
        ContentLength = -1;
        _regularSeen = false;
    }

    public void OnHeader(string name, string value)
    {
        if (Malformed is not null) return;
        if (name.Length > 0 && name[0] == ':')
        {
            if (_regularSeen) { Malformed = "a pseudo-header after a regular field"; return; }
            switch (name)
            {
                case ":method": Method = Once(Method, value, name); break;
                case ":scheme": Scheme = Once(Scheme, value, name); break;
                case ":authority": Authority = Once(Authority, value, name); break;
                case ":path": Target = Once(Target, value, name); break;
                case ":protocol": ConnectProtocol = Once(ConnectProtocol, value, name); break;
                default: Malformed = $"unknown pseudo-header {name}"; break;
            }

            return;
        }

        _regularSeen = true;
        var span = value.AsSpan();
        if (span.IndexOfAny('\0', '\r', '\n') >= 0 || span.Length > 0 && (IsWhitespace(span[0]) || IsWhitespace(span[^1])))
        {
            Malformed = $"an invalid value in field {name}";
            return;
        }

        if (ConnectionSpecificFields.Contains(name)) { Malformed = $"the connection-specific field {name}"; return; }
        if (name.Equals("TE", StringComparison.OrdinalIgnoreCase) && !value.Equals("trailers", StringComparison.Ordinal))
        {
            Malformed = "te other than trailers";
            return;
        }

        if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
        {
            if (span.Length is 0 or > 18 || span.IndexOfAnyExceptInRange('0', '9') >= 0 || ContentLength >= 0 && long.Parse(span) != ContentLength)
            {
                Malformed = "an invalid content-length";
                return;
            }

            ContentLength = long.Parse(span);
        }

        Headers[name] = Headers.TryGetValue(name, out var existing) ? StringValues.Concat(existing, value) : new StringValues(value);
    }

    /// <summary>Marks the request malformed for a reason found outside the fields (the decoder saw a bad name).</summary>
    public void Refuse(string reason) => Malformed ??= reason;

    /// <summary>After the block: the pseudo-headers a request needs (section 8.3.1), and Host agreeing with :authority.</summary>
    public void Validate()
    {
        if (Malformed is not null) return;
        if (Method is null) { Malformed = "no :method"; return; }
        if (ConnectProtocol is not null)
        {
            // RFC 8441 section 4: :protocol goes with CONNECT only, and such a request names :scheme, :path and :authority.
            if (Method != "CONNECT") { Malformed = ":protocol on a request other than CONNECT"; return; }
            if (!ConnectProtocol.Equals("websocket", StringComparison.OrdinalIgnoreCase)) { Malformed = $":protocol {ConnectProtocol} is not offered"; return; }
            if (Scheme is null || Target is null || Authority is null) { Malformed = "an extended CONNECT without :scheme, :path or :authority"; return; }
            IsWebSocket = true;
        }
        else if (Method == "CONNECT") { Malformed = "CONNECT is not offered"; return; }

        if (Scheme is null || Target is null) { Malformed = "no :scheme or :path"; return; }
        if (Target.Length == 0 || Target[0] != '/' && !(Target == "*" && Method == "OPTIONS")) { Malformed = "an invalid :path"; return; }
        if (Authority is null) return;
        if (!Headers.TryGetValue("Host", out var host))
        {
            // As Kestrel does: :authority stands for Host (RFC 9113 section 8.3.1), so the backend's HTTP/1.1 request names it.
            Headers["Host"] = Authority;
        }
        else if (host.Count != 1 || !string.Equals(host[0], Authority, StringComparison.OrdinalIgnoreCase))
        {
            Malformed = "a Host that differs from :authority";
            return;
        }

        if (IsWebSocket) AsHttp11Upgrade();
    }

    // The backend hears an HTTP/1.1 WebSocket handshake (RFC 6455 section 4.1), as YARP and Envoy relay one: the
    // Upgrade the backend leg asks for, and a fresh Sec-WebSocket-Key, which an HTTP/2 client does not send (RFC 8441
    // section 5). The backend's Sec-WebSocket-Accept answers that key and stays here (Http2Exchange.SwitchProtocolsAsync).
    private void AsHttp11Upgrade()
    {
        Headers["Upgrade"] = "websocket";
        Span<byte> key = stackalloc byte[16];
        System.Security.Cryptography.RandomNumberGenerator.Fill(key);
        Headers["Sec-WebSocket-Key"] = Convert.ToBase64String(key);
    }

    private string Once(string? current, string value, string name)
    {
        if (current is not null) Malformed = $"{name} twice";
        return value;
    }

    private static bool IsWhitespace(char c) => c is ' ' or '\t';
}
