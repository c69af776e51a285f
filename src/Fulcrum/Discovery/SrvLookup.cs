using ARSoft.Tools.Net.Dns;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Discovery;

/// <summary>
/// `srv:NAME`: the SRV records of the name (RFC 2782), a backend for each address of each target at the record's
/// port. The record's weight becomes the backend's (0, "rarely", becomes 1: Fulcrum's weights have no "only when
/// nothing else"), and priority maps onto Fulcrum's backups: the records of the lowest priority are primaries, the
/// others backups, used only when no primary is up. Targets' addresses come from the answer's additional section when
/// the server put them there, else from A and AAAA lookups of each target.
/// </summary>
internal sealed class SrvLookup(DiscoverySource source, DnsResolver resolver) : IBackendLookup
{
    public async Task<LookupResult> LookupAsync(CancellationToken cancellationToken)
    {
        var (records, error) = await resolver.QueryAsync(source.Target, RecordType.Srv, cancellationToken);
        if (error is not null) return LookupResult.Failed(error);
        var srv = records.OfType<SrvRecord>().ToList();
        if (srv.Count == 0) return LookupResult.Failed($"{resolver.Server} has no SRV record for {source.Target}");

        TimeSpan? ttl = null;
        var glue = records.OfType<AddressRecordBase>().ToList();
        var primary = srv.Min(r => r.Priority);
        var backends = new List<BackendConfig>();
        string? lastError = null;
        foreach (var record in srv)
        {
            ttl = DnsLookup.Shorter(ttl, TimeSpan.FromSeconds(record.TimeToLive));
            var addresses = glue.Where(g => g.Name.Equals(record.Target)).ToList();
            if (addresses.Count == 0)
            {
                var target = record.Target.ToString(true);
                var (a, aError) = await resolver.QueryAsync(target, RecordType.A, cancellationToken);
                var (aaaa, aaaaError) = await resolver.QueryAsync(target, RecordType.Aaaa, cancellationToken);
                addresses = [.. a.Concat(aaaa).OfType<AddressRecordBase>()];
                if (addresses.Count == 0) lastError = aError ?? aaaaError ?? $"{resolver.Server} has no address for SRV target {target}";
            }

            foreach (var address in addresses)
            {
                ttl = DnsLookup.Shorter(ttl, TimeSpan.FromSeconds(address.TimeToLive));
                backends.Add(new BackendConfig
                {
                    Address = BackendAddresses.Of(address.Address, record.Port),
                    Weight = Math.Max(1, (int)record.Weight),
                    Backup = source.Backup || record.Priority != primary,
                    DiscoveredBy = source.Text,
                });
            }
        }

        return backends.Count == 0 ? LookupResult.Failed(lastError ?? $"no SRV target of {source.Target} has an address") : LookupResult.Found(backends, ttl);
    }
}
