using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Model;

namespace Fulcrum.L4;

/// <summary>
/// A backend's address as a socket endpoint. IP literals are parsed once; host names are resolved
/// through DNS and cached for 30 s so a changed record is picked up without resolving per connection.
/// </summary>
internal sealed class BackendEndpoints
{
    private static readonly TimeSpan NameTtl = TimeSpan.FromSeconds(30);
    private readonly ConcurrentDictionary<string, (IPEndPoint Endpoint, long Expires)> _cache = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;
    private readonly long _nameTtl;

    public BackendEndpoints(TimeProvider time)
    {
        _time = time;
        _nameTtl = (long)(NameTtl.TotalSeconds * time.TimestampFrequency);
    }

    public ValueTask<IPEndPoint> ResolveAsync(Backend backend, CancellationToken cancellationToken)
    {
        var now = _time.GetTimestamp();
        if (_cache.TryGetValue(backend.Address, out var hit) && hit.Expires > now) return ValueTask.FromResult(hit.Endpoint);
        if (IPAddress.TryParse(backend.Host, out var ip))
        {
            var literal = new IPEndPoint(ip, backend.Port);
            _cache[backend.Address] = (literal, long.MaxValue);
            return ValueTask.FromResult(literal);
        }

        return ResolveNameAsync(backend, cancellationToken);
    }

    private async ValueTask<IPEndPoint> ResolveNameAsync(Backend backend, CancellationToken cancellationToken)
    {
        var addresses = await Dns.GetHostAddressesAsync(backend.Host, cancellationToken).ConfigureAwait(false);
        if (addresses.Length == 0) throw new SocketException((int)SocketError.HostNotFound);
        var ip = Array.Find(addresses, a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses[0];
        var endpoint = new IPEndPoint(ip, backend.Port);
        _cache[backend.Address] = (endpoint, _time.GetTimestamp() + _nameTtl);
        return endpoint;
    }
}
