using ARSoft.Tools.Net.Dns;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Discovery;

/// <summary>
/// `dns:NAME:PORT`: a backend for every A and AAAA record of the name, all at the source's port and weight. The
/// records' smallest TTL says when to ask again. A lookup that finds no address at all (NXDOMAIN, or no records of
/// either type) counts as failed, so the pool keeps its last good set rather than emptying: a name that briefly
/// vanishes from a zone being edited should not take a whole pool down.
/// </summary>
internal sealed class DnsLookup(DiscoverySource source, DnsResolver resolver) : IBackendLookup
{
    public async Task<LookupResult> LookupAsync(CancellationToken cancellationToken)
    {
        var v4 = resolver.QueryAsync(source.Target, RecordType.A, cancellationToken);
        var v6 = resolver.QueryAsync(source.Target, RecordType.Aaaa, cancellationToken);
        var (a, aError) = await v4;
        var (aaaa, aaaaError) = await v6;
        if (aError is not null && aaaaError is not null) return LookupResult.Failed(aError);

        var backends = new List<BackendConfig>();
        TimeSpan? ttl = null;
        foreach (var record in a.Concat(aaaa))
        {
            if (record is not AddressRecordBase address) continue;
            backends.Add(new BackendConfig
            {
                Address = BackendAddresses.Of(address.Address, source.Port),
                Weight = source.Weight,
                Backup = source.Backup,
                DiscoveredBy = source.Text,
            });
            ttl = Shorter(ttl, TimeSpan.FromSeconds(record.TimeToLive));
        }

        if (backends.Count == 0) return LookupResult.Failed(aError ?? aaaaError ?? $"{resolver.Server} has no A or AAAA record for {source.Target}");
        return LookupResult.Found(backends, ttl);
    }

    internal static TimeSpan? Shorter(TimeSpan? a, TimeSpan b) => a is { } known && known < b ? known : b;
}
