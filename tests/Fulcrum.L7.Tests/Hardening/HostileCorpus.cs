namespace Fulcrum.L7.Tests.Hardening;

/// <summary>
/// The hostile-input corpus (docs/security.md has it as a table, with what nginx and HAProxy answer). Cases written
/// here after reading HAProxy's reg-tests (reg-tests/http-messaging, e.g. http_transfer_encoding.vtc), the payload
/// families of the http-garden differential fuzzer, RFC 9110/9112, and Kestrel's CVE-2025-55315 (a bare LF inside a
/// chunk extension). A request path containing "smuggled" must never reach a backend.
/// </summary>
public static class HostileCorpus
{
    private const string Refused = "400+close";
    private const string Ok = "200";

    private static HostileCase Case(string name, string group, string source, string request, string[] accept, int? backend = null) =>
        new(name, group, source, request, accept, backend);

    public static readonly HostileCase[] All =
    [
        // ---- a baseline, so a broken setup cannot pass as strictness ----
        Case("plain-get", "baseline", "-", "GET / HTTP/1.1\r\nHost: a\r\n\r\n", [Ok], 1),
        Case("post-with-length", "baseline", "-", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello", [Ok], 1),
        Case("post-chunked", "baseline", "-", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", [Ok], 1),
        Case("http10-without-host", "baseline", "RFC 9112 3.2: Host is required in HTTP/1.1 only", "GET / HTTP/1.0\r\n\r\n", ["200+close", "400+close"]),

        // ---- CL.TE, TE.CL and obfuscated Transfer-Encoding ----
        Case("te-and-cl", "smuggling", "HAProxy http_transfer_encoding.vtc c1; RFC 9112 6.1",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 31\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n", ["200+close", Refused]),
        Case("cl-and-te", "smuggling", "CL.TE, headers the other way round",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 31\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /smuggled HTTP/1.1\r\n\r\n", ["200+close", Refused]),
        Case("te-chunked-chunked", "smuggling", "HAProxy http_transfer_encoding.vtc (chunked applied twice)",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n", [Refused, "501+close"], 0),
        Case("te-twice", "smuggling", "duplicate Transfer-Encoding lines",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", [Refused, "501+close"], 0),
        Case("te-chunked-identity", "smuggling", "RFC 9112 6.3: chunked must be the final coding",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n", [Refused, "501+close"], 0),
        Case("te-gzip-only", "smuggling", "RFC 9112 6.3: a request whose final coding is not chunked",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\nContent-Length: 5\r\n\r\nhello", [Refused, "501+close"], 0),
        Case("te-unknown", "smuggling", "RFC 9112 6.1: an unknown coding is 501",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n", [Refused, "501+close"], 0),
        Case("te-upper-case", "smuggling", "codings are case-insensitive (RFC 9112 7)",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n5\r\nhello\r\n0\r\n\r\n", [Ok, Refused]),
        Case("te-tab-value", "smuggling", "http-garden: OWS around the value is a tab",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding:\tchunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", [Ok, Refused]),
        Case("te-space-before-colon", "smuggling", "RFC 9112 5.1: no whitespace between name and colon",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding : chunked\r\nContent-Length: 5\r\n\r\nhello", [Refused], 0),
        Case("te-tab-before-colon", "smuggling", "http-garden: a tab between name and colon",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding\t: chunked\r\nContent-Length: 5\r\n\r\nhello", [Refused], 0),
        Case("te-vertical-tab", "smuggling", "http-garden: a vertical tab in the value",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: \u000bchunked\r\nContent-Length: 5\r\n\r\nhello", [Refused, "501+close"], 0),
        Case("te-http10", "smuggling", "RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 is faulty framing; HAProxy c2",
            "POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", ["200+close", Refused]),

        // ---- Content-Length ----
        Case("cl-twice-same", "content-length", "RFC 9110 8.6: identical duplicates may be collapsed",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello", [Ok, Refused]),
        Case("cl-twice-different", "content-length", "RFC 9112 6.3 item 5",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!", [Refused], 0),
        Case("cl-list-different", "content-length", "comma-joined lengths that differ",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 6\r\n\r\nhello!", [Refused], 0),
        Case("cl-list-same", "content-length", "comma-joined identical lengths",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5, 5\r\n\r\nhello", [Ok, Refused]),
        Case("cl-negative", "content-length", "-",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", [Refused], 0),
        // Kestrel reads +5 as 5 and keeps only the number, so Fulcrum cannot see the sign; the backend gets Content-Length: 5.
        Case("cl-plus", "content-length", "http-garden: a sign",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: +5\r\n\r\nhello", [Refused, Ok]),
        Case("cl-hex", "content-length", "-",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 0x5\r\n\r\nhello", [Refused], 0),
        Case("cl-huge", "content-length", "overflow of a 64-bit length",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999999999999\r\n\r\n", [Refused, "413+close"], 0),
        Case("cl-underscore", "content-length", "http-garden: digit separators",
            "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1_0\r\n\r\nhellohello", [Refused], 0),

        // ---- chunked bodies ----
        Case("chunk-size-overflow", "chunked", "a chunk size past 64 bits",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFF1\r\nhello\r\n0\r\n\r\n", [Refused, "413+close"], 0),
        Case("chunk-extension", "chunked", "RFC 9112 7.1.1: extensions are allowed and ignored",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;name=value\r\nhello\r\n0\r\n\r\n", [Ok], 1),
        Case("chunk-extension-bare-lf", "chunked", "Kestrel CVE-2025-55315: a bare LF inside a chunk extension",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5;a\nGET /smuggled HTTP/1.1\r\n\r\nhello\r\n0\r\n\r\n", [Refused], 0),
        Case("chunk-line-bare-lf", "chunked", "a chunk-size line ending in a bare LF",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\r\n0\r\n\r\n", [Refused], 0),
        Case("chunk-data-too-long", "chunked", "chunk data longer than its size",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n", [Refused], 0),
        Case("chunk-size-space", "chunked", "http-garden: whitespace inside the size",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5 5\r\nhello\r\n0\r\n\r\n", [Refused], 0),
        Case("chunk-size-0x", "chunked", "http-garden: a 0x prefix",
            "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n", [Refused], 0),

        // ---- line endings and header syntax ----
        Case("bare-lf-head", "syntax", "RFC 9112 2.2: a recipient MAY accept bare LF; the backend must still get CRLF",
            "GET / HTTP/1.1\nHost: a\n\n", [Ok, Refused]),
        Case("bare-cr-in-value", "syntax", "RFC 9112 2.2: a bare CR must be refused or replaced",
            "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\rc\r\n\r\n", [Refused], 0),
        Case("obs-fold", "syntax", "RFC 9112 5.2: obs-fold is refused (or replaced by a space)",
            "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\r\n c\r\n\r\n", [Refused, Ok]),
        Case("space-before-colon", "syntax", "RFC 9112 5.1",
            "GET / HTTP/1.1\r\nHost: a\r\nX-A : b\r\n\r\n", [Refused], 0),
        Case("space-in-name", "syntax", "a space inside a header name",
            "GET / HTTP/1.1\r\nHost: a\r\nX A: b\r\n\r\n", [Refused], 0),
        Case("bad-name-char", "syntax", "a separator in a header name",
            "GET / HTTP/1.1\r\nHost: a\r\nX(A): b\r\n\r\n", [Refused], 0),
        Case("nul-in-value", "syntax", "RFC 9110 5.5: NUL is never allowed",
            "GET / HTTP/1.1\r\nHost: a\r\nX-A: b\0c\r\n\r\n", [Refused], 0),
        Case("nul-in-name", "syntax", "-",
            "GET / HTTP/1.1\r\nHost: a\r\nX-\0A: b\r\n\r\n", [Refused], 0),
        Case("empty-name", "syntax", "a header line starting with a colon",
            "GET / HTTP/1.1\r\nHost: a\r\n: b\r\n\r\n", [Refused], 0),
        Case("no-colon", "syntax", "a header line without a colon",
            "GET / HTTP/1.1\r\nHost: a\r\nX-A b\r\n\r\n", [Refused], 0),
        Case("whitespace-first-line", "syntax", "RFC 9112 2.2: whitespace before the first header",
            "GET / HTTP/1.1\r\n Host: a\r\n\r\n", [Refused], 0),

        // ---- the request line and Host ----
        Case("two-hosts", "request-line", "RFC 9112 3.2: more than one Host is 400",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", [Refused], 0),
        Case("no-host", "request-line", "RFC 9112 3.2: HTTP/1.1 without Host is 400",
            "GET / HTTP/1.1\r\n\r\n", [Refused], 0),
        Case("host-with-space", "request-line", "HAProxy h1_host_normalization.vtc",
            "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", [Refused], 0),
        Case("absolute-form-other-host", "request-line", "RFC 9112 3.2.2: the target's authority wins over Host",
            "GET http://b/ HTTP/1.1\r\nHost: a\r\n\r\n", [Refused, Ok]),
        Case("absolute-form", "request-line", "RFC 9112 3.2.2",
            "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", [Ok, Refused]),
        Case("http09", "request-line", "HTTP/0.9 is not served",
            "GET /\r\n\r\n", [Refused, "close"], 0),
        Case("version-http12", "request-line", "an unknown minor version",
            "GET / HTTP/1.2\r\nHost: a\r\n\r\n", [Ok, Refused, "505+close"]),
        Case("version-http2-in-h1", "request-line", "-",
            "GET / HTTP/2.0\r\nHost: a\r\n\r\n", [Refused, "505+close"], 0),
        Case("version-lower-case", "request-line", "RFC 9112 2.3: the version is case-sensitive",
            "GET / http/1.1\r\nHost: a\r\n\r\n", [Refused, "505+close"], 0),
        Case("target-with-space", "request-line", "HAProxy h1_request_target_validation.vtc",
            "GET /a b HTTP/1.1\r\nHost: a\r\n\r\n", [Refused, "505+close"], 0),
        Case("target-fragment", "request-line", "HAProxy h1_authority_fragment_char.vtc: '#' is not in a request target",
            "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", [Refused, Ok]),
        Case("target-not-slash", "request-line", "origin-form starts with /",
            "GET a HTTP/1.1\r\nHost: a\r\n\r\n", [Refused, "405+close"], 0),
        Case("method-lower-case-unknown", "request-line", "methods are case-sensitive tokens; passed on as sent",
            "get / HTTP/1.1\r\nHost: a\r\n\r\n", [Ok, Refused, "405"]),
        Case("method-bad-char", "request-line", "a separator in the method",
            "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", [Refused], 0),

        // ---- pipelining, Expect, Upgrade ----
        Case("pipelined-bodies", "pipelining", "two requests with bodies in one packet",
            "POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloPOST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nworld", ["200,200"], 2),
        Case("pipelined-after-chunked", "pipelining", "a request right after a chunked body",
            "POST /1 HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n", ["200,200"], 2),
        Case("expect-continue-body-sent", "expect", "RFC 9110 10.1.1: a client may send the body without waiting",
            "POST / HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello", [Ok], 1),
        Case("expect-unknown", "expect", "RFC 9110 10.1.1: an expectation not understood may be 417",
            "GET / HTTP/1.1\r\nHost: a\r\nExpect: teapot\r\n\r\n", [Ok, "417", "417+close"]),
        Case("upgrade-with-body", "upgrade", "an upgrade request that carries a body is an ordinary request",
            "POST / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nContent-Length: 5\r\n\r\nhello", [Ok, Refused]),
        Case("upgrade-h2c", "upgrade", "h2c upgrades are not offered",
            "GET / HTTP/1.1\r\nHost: a\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n", [Ok, Refused]),

        // ---- sizes ----
        Case("request-line-too-long", "size", "nginx large_client_header_buffers; 414 URI Too Long",
            "GET /" + new string('a', 20_000) + " HTTP/1.1\r\nHost: a\r\n\r\n", ["414+close", "431+close", Refused], 0),
        Case("header-too-long", "size", "431 Request Header Fields Too Large (RFC 6585)",
            "GET / HTTP/1.1\r\nHost: a\r\nX-A: " + new string('a', 40_000) + "\r\n\r\n", ["431+close", Refused], 0),
        Case("too-many-headers", "size", "431 Request Header Fields Too Large (RFC 6585)",
            "GET / HTTP/1.1\r\nHost: a\r\n" + string.Concat(Enumerable.Range(0, 150).Select(i => $"X-{i}: v\r\n")) + "\r\n", ["431+close", Refused], 0),
    ];
}
