using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.Exchange;

/// <summary>
/// The header edits made to a head a front end still holds as bytes: at most one entry per name (names without
/// case), its last value, or empty for a removal. Replayed onto the header dictionary when something asks for the
/// dictionary, they leave it as the same calls on the dictionary would have (the last set or removal of a name wins);
/// otherwise the bytes are forwarded with the edited names left out and the edits written after them.
/// </summary>
internal sealed class FieldEdits
{
    private KeyValuePair<string, StringValues>[] _items = new KeyValuePair<string, StringValues>[8];

    public int Count { get; private set; }

    /// <summary>Each edited name with its value, empty for a removal.</summary>
    public ReadOnlySpan<KeyValuePair<string, StringValues>> Items => _items.AsSpan(0, Count);

    /// <summary>Sets a name (an empty value removes it, as the header dictionary's indexer does).</summary>
    public void Set(string name, StringValues value)
    {
        var at = IndexOf(name);
        if (at >= 0)
        {
            _items[at] = new(_items[at].Key, value);
            return;
        }

        if (Count == _items.Length) Array.Resize(ref _items, Count * 2);
        _items[Count++] = new(name, value);
    }

    /// <summary>The index of the edit of <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name)
    {
        for (var i = 0; i < Count; i++)
        {
            if (string.Equals(_items[i].Key, name, StringComparison.OrdinalIgnoreCase)) return i;
        }

        return -1;
    }

    /// <summary>The index of the edit of the name spelled by ASCII <paramref name="name"/>, or -1.</summary>
    public int IndexOf(ReadOnlySpan<byte> name)
    {
        for (var i = 0; i < Count; i++)
        {
            var key = _items[i].Key;
            if (key.Length == name.Length && System.Text.Ascii.EqualsIgnoreCase(name, key)) return i;
        }

        return -1;
    }

    public StringValues ValueAt(int index) => _items[index].Value;

    /// <summary>Replays the edits onto <paramref name="headers"/>, in the order they were first made.</summary>
    public void ApplyTo(IHeaderDictionary headers)
    {
        for (var i = 0; i < Count; i++)
        {
            var (name, value) = (_items[i].Key, _items[i].Value);
            if (value.Count == 0) headers.Remove(name);
            else headers[name] = value;
        }
    }

    public void Clear()
    {
        _items.AsSpan(0, Count).Clear();
        Count = 0;
    }
}
