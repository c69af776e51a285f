namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>A stream's state as the server sees it (RFC 9113 section 5.1); a server never reserves streams.</summary>
internal enum Http2StreamState
{
    /// <summary>The slot is free.</summary>
    Idle,
    Open,
    /// <summary>The client sent END_STREAM; the response goes on.</summary>
    HalfClosedRemote,
    /// <summary>The response ended (or the stream was reset); the slot waits for its handler to return.</summary>
    Closed,
}
