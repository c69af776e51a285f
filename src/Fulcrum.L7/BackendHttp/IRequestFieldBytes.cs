using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// A request head a front end still holds as the client's bytes (docs/design.md, "Heads as bytes"): the backend leg
/// writes its header lines as they came, minus hop-by-hop ones and those the filters edited, then the edits, instead
/// of rebuilding every line from strings.
/// </summary>
internal interface IRequestFieldBytes
{
    /// <summary>The upper bound of what <see cref="WriteFields"/> writes.</summary>
    int FieldsLength { get; }

    /// <summary>The filters' edits, written after the client's lines; an empty value is a removal.</summary>
    FieldEdits Edits { get; }

    /// <summary>
    /// Writes the client's end-to-end header lines that no edit names, each `Name: value` and CRLF, known names in
    /// their usual spelling; returns how many bytes, and whether a Host line was among them.
    /// </summary>
    int WriteFields(Span<byte> destination, out bool hasHost);
}
