using System.Collections.Immutable;
using System.Net;
using System.Text;
using Fulcrum.Core.Observability;
using Fulcrum.L7.Answers;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.Filters;

/// <summary>
/// `allow:` and `deny:` of a listener or a route (docs/protection.md): a client in a `deny` block gets 403; when `allow`
/// is given, so does a client outside every `allow` block. Deny wins, whatever order the lists come in, like Envoy's RBAC
/// with a deny policy beside an allow one. The address is the client's after `trusted-proxies`.
/// </summary>
internal sealed class AccessListFilter : HttpFilter
{
    private static readonly byte[] Refused = Encoding.UTF8.GetBytes("403 forbidden: this client's address may not use this service\n");
    private readonly IPNetwork[] _allow;
    private readonly IPNetwork[] _deny;
    private readonly ProtectionCounter _allowed;
    private readonly ProtectionCounter _denied;
    private readonly ProtectionCounter _notAllowed;

    private AccessListFilter(IPNetwork[] allow, IPNetwork[] deny, ProtectionStats stats, string listener, string route)
    {
        _allow = allow;
        _deny = deny;
        _allowed = stats.Counter(listener, route, "access", "allowed");
        _denied = stats.Counter(listener, route, "access", "rejected", "denied-cidr");
        _notAllowed = stats.Counter(listener, route, "access", "rejected", "not-allowed");
    }

    public override FilterHooks Hooks => FilterHooks.RequestHead;

    /// <summary>The filter of the lists, or null when both are empty (the route pays nothing). The parser checked the blocks.</summary>
    public static AccessListFilter? Create(ImmutableArray<string> allow, ImmutableArray<string> deny, ProtectionStats stats, string listener, string route)
    {
        if (allow.IsEmpty && deny.IsEmpty) return null;
        return new AccessListFilter(Parse(allow), Parse(deny), stats, listener, route);
    }

    public override ValueTask<FilterResult> OnRequestHeadAsync(HttpExchange exchange)
    {
        var address = exchange.ClientAddress;
        ProtectionCounter verdict;
        if (address is not null && In(_deny, address)) verdict = _denied;
        else if (_allow.Length > 0 && (address is null || !In(_allow, address))) verdict = _notAllowed;
        else
        {
            _allowed.Increment();
            return Continue;
        }

        verdict.Increment();
        exchange.Record.Protection = verdict.LogText;
        PlainTextAnswer.Set(exchange, 403, Refused);
        return Answered;
    }

    private static bool In(IPNetwork[] networks, IPAddress address)
    {
        foreach (var network in networks)
        {
            if (network.Contains(address)) return true;
        }

        return false;
    }

    private static IPNetwork[] Parse(ImmutableArray<string> blocks)
    {
        var networks = new List<IPNetwork>(blocks.Length);
        foreach (var block in blocks)
        {
            if (IPNetwork.TryParse(block, out var network)) networks.Add(network);
        }

        return [.. networks];
    }
}
