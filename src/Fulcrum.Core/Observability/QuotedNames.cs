using System.Runtime.CompilerServices;

namespace Fulcrum.Core.Observability;

/// <summary>
/// The JSON text (quoted, escaped, UTF-8) of the strings that come back on line after line: listener, route,
/// pool and backend names, methods, outcomes. They are the same string objects every time (config names,
/// Kestrel's interned methods), so a reference match skips the escape scan and the transcoding; the access
/// log's writer thread spends its time on the request's CPU. Direct-mapped by object identity: a miss,
/// e.g. after a reload brings new names, just formats and takes the slot. One writer thread uses it.
/// </summary>
internal sealed class QuotedNames
{
    private const int Slots = 64; // a power of two; a config has far fewer distinct names on one listener
    private readonly string?[] _keys = new string?[Slots];
    private readonly byte[][] _texts = new byte[Slots][];

    public ReadOnlySpan<byte> Get(string value)
    {
        var slot = RuntimeHelpers.GetHashCode(value) & (Slots - 1);
        if (ReferenceEquals(_keys[slot], value)) return _texts[slot];
        var text = new byte[JsonLineWriter.MaxBytes(value)];
        var length = JsonLineWriter.WriteQuoted(value, text);
        _texts[slot] = text[..length];
        _keys[slot] = value;
        return _texts[slot];
    }
}
