namespace Fulcrum.L7.FrontEnd.Http2;

/// <summary>What <see cref="Http2FrameReader.TryRead"/> found.</summary>
internal enum Http2ReadStatus
{
    NeedMore,
    Frame,
    TooLarge,
}
