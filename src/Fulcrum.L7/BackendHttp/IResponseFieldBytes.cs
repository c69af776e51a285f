namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// A front end that takes a backend's response header lines as bytes (docs/design.md, "Heads as bytes"): the leg
/// writes the end-to-end lines into the room it lends, and the front end writes them to the client as they are,
/// unless something asks for its header dictionary first.
/// </summary>
internal interface IResponseFieldBytes
{
    /// <summary>Room for <paramref name="length"/> bytes of header lines; false when the response already has headers of its own.</summary>
    bool TryReserveResponseFields(int length, out Span<byte> room);

    /// <summary>The lines written into the room: <paramref name="length"/> bytes.</summary>
    void ResponseFieldsWritten(int length);
}
