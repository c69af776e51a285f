namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>How a request's body is delimited (RFC 9112 section 6.3): none, a Content-Length, or chunked.</summary>
internal enum Http1BodyFraming
{
    None,
    Length,
    Chunked,
}
