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
    /// <remarks>
    /// Copied with ICollection.CopyTo rather than enumerated: Kestrel lends each request one boxed enumerator, which the
    /// listener's own check of the header names (<see cref="Exchange.StrictRequest"/>) has taken, and a second
    /// enumeration would allocate a new one for every request.
    /// </remarks>
    public void CopyFrom(IHeaderDictionary request)
    {
        var count = request.Count;
        if (count > _items.Length) _items = new KeyValuePair<string, StringValues>[Math.Max(count, _items.Length * 2)];
        request.CopyTo(_items, 0);
        var kept = 0;
        for (var i = 0; i < count; i++)
        {
            var name = _items[i].Key;
            if (name.Length == 0 || name[0] == ':' || HeaderNames.IsHopByHop(name)) continue;
            _items[kept++] = _items[i];
        }

        _items.AsSpan(kept, count - kept).Clear();
        Count = kept;
    }
}
