using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Fulcrum.L7.BackendHttp;

/// <summary>
/// The header list of one request to a backend: the request's headers (as the route's filters left them) minus
/// hop-by-hop ones. Holds references only (no copies of names or values) and is reused: one list per thread, taken
/// and given back around the writing of each request head.
/// </summary>
internal sealed class OutgoingHeaders
{
    [ThreadStatic] private static OutgoingHeaders? _cached;

    private KeyValuePair<string, StringValues>[] _items = new KeyValuePair<string, StringValues>[32];

    public int Count { get; private set; }

    public ReadOnlySpan<KeyValuePair<string, StringValues>> Items => _items.AsSpan(0, Count);

    public static OutgoingHeaders Rent()
    {
        var headers = _cached ?? new OutgoingHeaders();
        _cached = null;
        return headers;
    }

    public static void Return(OutgoingHeaders headers)
    {
        headers._items.AsSpan(0, headers.Count).Clear();
        headers.Count = 0;
        _cached = headers;
    }

    /// <summary>The client's end-to-end headers: hop-by-hop ones and those the client's Connection header names are left out.</summary>
    public void CopyFrom(IHeaderDictionary client)
    {
        var connection = StringValues.Empty;
        foreach (var header in client)
        {
            var name = header.Key;
            if (name.Length == 0 || name[0] == ':') continue;
            if (HeaderNames.IsHopByHop(name))
            {
                if (name.Length == HeaderNames.Connection.Length && name.Equals(HeaderNames.Connection, StringComparison.OrdinalIgnoreCase)) connection = header.Value;
                continue;
            }

            Append(name, header.Value);
        }

        if (connection.Count > 0) RemoveNamedIn(connection);
    }

    public void Remove(string name)
    {
        var items = _items;
        var kept = 0;
        for (var i = 0; i < Count; i++)
        {
            if (!items[i].Key.Equals(name, StringComparison.OrdinalIgnoreCase)) items[kept++] = items[i];
        }

        items.AsSpan(kept, Count - kept).Clear();
        Count = kept;
    }

    private void Append(string name, StringValues value)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = new(name, value);
    }

    // RFC 9110 section 7.6.1: the Connection header lists further headers that are meant for this hop only.
    private void RemoveNamedIn(StringValues connection)
    {
        foreach (var value in connection)
        {
            if (value is null) continue;
            foreach (var range in value.AsSpan().Split(','))
            {
                var token = value.AsSpan(range).Trim();
                if (token.Length == 0 || token.Equals("close", StringComparison.OrdinalIgnoreCase)
                    || token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase)) continue;
                Remove(token.ToString());
            }
        }
    }
}
