namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>A connection error (RFC 9113 section 5.4.1): the connection answers with GOAWAY and this code, then closes.</summary>
internal sealed class Http2ConnectionError(Http2ErrorCode code, string message) : Exception(message)
{
    public Http2ErrorCode Code { get; } = code;
}
