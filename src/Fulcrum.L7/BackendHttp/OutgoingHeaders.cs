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

    /// <summary>
    /// The request's end-to-end headers: hop-by-hop ones are left out. Those the client's Connection header named are
    /// gone already (<see cref="Exchange.ConnectionOptions"/>, before the filters ran).
    /// </summary>
    public void CopyFrom(IHeaderDictionary request)
    {
        foreach (var header in request)
        {
            var name = header.Key;
            if (name.Length == 0 || name[0] == ':' || HeaderNames.IsHopByHop(name)) continue;
            Append(name, header.Value);
        }
    }

    private void Append(string name, StringValues value)
    {
        if (Count == _items.Length) Array.Resize(ref _items, _items.Length * 2);
        _items[Count++] = new(name, value);
    }
}
