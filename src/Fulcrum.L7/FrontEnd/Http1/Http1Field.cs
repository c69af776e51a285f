using System.Text;

namespace Fulcrum.L7.FrontEnd.Http1;

/// <summary>One header line of a request head: where its name and its value (without the whitespace around it) are.</summary>
/// <param name="Known">The usual spelling of a known name (interned), or null.</param>
internal readonly record struct Http1Field(int NameStart, int NameLength, int ValueStart, int ValueLength, string? Known)
{
    /// <summary>True when this line's name is <paramref name="name"/>, without case.</summary>
    public bool Is(ReadOnlySpan<byte> head, string name) =>
        NameLength == name.Length && Ascii.EqualsIgnoreCase(head.Slice(NameStart, NameLength), name);

    public string Value(ReadOnlySpan<byte> head) => ValueLength == 0 ? "" : Encoding.ASCII.GetString(head.Slice(ValueStart, ValueLength));
}
