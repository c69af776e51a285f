using System.Net;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Filters;

/// <summary>
/// A listener's `trusted-proxies`: the peers whose forwarding headers are believed. A request from one of them comes
/// from the address its X-Forwarded-For (or, without one, its Forwarded header's `for=`, RFC 7239) names: the list
/// is read from the right, skipping trusted addresses, and the first other one is the client, as nginx's realip module does with `real_ip_recursive on`, so a client cannot forge
/// its way past the proxies the operator trusts. The listener resolves it before routing, since routes match on the
/// client's address (client-cidr), and the hash keys, affinity and the access log read it too.
/// </summary>
internal sealed class TrustedProxies(IPNetwork[] networks)
{
    public static readonly TrustedProxies None = new([]);

    public static TrustedProxies Parse(IEnumerable<string> cidrs) =>
        new([.. cidrs.Select(static c => IPNetwork.Parse(c))]);

    /// <summary>
    /// Marks a request from a trusted proxy as such and takes its client's address from X-Forwarded-For, or when the
    /// request has none, from the `for=` nodes of Forwarded (RFC 7239), with the same walk from the right.
    /// </summary>
    public void Apply(HttpExchange exchange)
    {
        if (networks.Length == 0 || !Contains(exchange.PeerAddress)) return;
        exchange.FromTrustedProxy = true;
        var forwarded = exchange.RequestHeader("X-Forwarded-For");
        if (forwarded.Count == 0)
        {
            ApplyForwarded(exchange);
            return;
        }

        for (var v = forwarded.Count - 1; v >= 0; v--)
        {
            var value = forwarded[v];
            if (value is null) continue;
            var end = value.Length;
            while (end > 0)
            {
                var comma = value.LastIndexOf(',', end - 1);
                var item = value.AsSpan(comma + 1, end - comma - 1).Trim(" \t");
                end = comma < 0 ? 0 : comma;
                if (item.Length == 0) continue;
                // Anything that is not an address ends the walk: what lies left of it cannot be trusted either.
                if (!IPAddress.TryParse(item, out var address)) return;
                if (!Step(exchange, address)) return;
            }
        }
    }

    private void ApplyForwarded(HttpExchange exchange)
    {
        var forwarded = exchange.RequestHeader("Forwarded");
        for (var v = forwarded.Count - 1; v >= 0; v--)
        {
            var value = forwarded[v];
            if (value is null) continue;
            var end = value.Length;
            while (end > 0)
            {
                switch (ForwardedFor.Previous(value, ref end, out var address))
                {
                    case ForwardedFor.Node.Absent:
                        continue;
                    case ForwardedFor.Node.NotAnAddress:
                        return;
                }

                if (!Step(exchange, address!)) return;
            }
        }
    }

    // One hop of the walk: the address becomes the client; true when it is trusted too, so the walk goes on left.
    private bool Step(HttpExchange exchange, IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        exchange.ClientAddress = address;
        return Contains(address);
    }

    public bool Contains(IPAddress? address)
    {
        if (address is null) return false;
        foreach (var network in networks)
        {
            if (network.Contains(address)) return true;
        }

        return false;
    }
}
