using System.Net;
using System.Net.Sockets;
using Fulcrum.Core.Configuration;
using Fulcrum.Core.Geo;

namespace Fulcrum.Dns.Answers;

/// <summary>
/// Which sites' addresses a record answers with, per its policy. Only usable sites count (<c>Backend.IsUsable</c>: up
/// by health, not drained, not in maintenance); backups only when no primary of the family is usable, as in the pools.
/// Sites are ranked nearest first (the client's country, then continent, then the rest; pool order within a rank):
/// - all: every usable site in that order, up to `answers`;
/// - failover: the same order, the first `answers` (default 1): the nearest usable site, else the next in line;
/// - weighted: `answers` (default 1) drawn without replacement, each with a chance in proportion to its weight,
///   from the nearest rank first, then the next when that rank has too few (Route 53's weighted records, one rank at a time).
/// </summary>
internal static class SiteSelector
{
    public static List<IPAddress> Select(Site[] sites, AddressFamily family, DnsRecordConfig record, GeoLocation? client, Random random)
    {
        var candidates = Usable(sites, family, backups: false);
        if (candidates.Count == 0) candidates = Usable(sites, family, backups: true);
        var answers = new List<IPAddress>(Math.Min(candidates.Count, record.AnswerLimit));
        if (candidates.Count == 0) return answers;

        // Stable: within a rank the pool's order stays.
        var ranked = candidates.OrderBy(s => s.Distance(client)).ThenBy(static s => s.Order).ToList();
        var limit = record.AnswerLimit;
        if (record.Policy != DnsPolicy.Weighted)
        {
            for (var i = 0; i < ranked.Count && answers.Count < limit; i++) answers.Add(ranked[i].Address);
            return answers;
        }

        var start = 0;
        while (start < ranked.Count && answers.Count < limit)
        {
            var distance = ranked[start].Distance(client);
            var end = start;
            while (end < ranked.Count && ranked[end].Distance(client) == distance) end++;
            DrawWeighted(ranked.GetRange(start, end - start), limit - answers.Count, random, answers);
            start = end;
        }

        return answers;
    }

    private static List<Site> Usable(Site[] sites, AddressFamily family, bool backups)
    {
        var usable = new List<Site>(sites.Length);
        foreach (var site in sites)
        {
            if (site.Address.AddressFamily == family && site.Backend.IsBackup == backups && site.Backend.IsUsable) usable.Add(site);
        }

        return usable;
    }

    private static void DrawWeighted(List<Site> rank, int wanted, Random random, List<IPAddress> into)
    {
        while (wanted > 0 && rank.Count > 0)
        {
            long total = 0;
            foreach (var site in rank) total += Math.Max(1, site.Backend.EffectiveWeight);
            var ticket = random.NextInt64(total);
            var chosen = 0;
            for (; chosen < rank.Count - 1; chosen++)
            {
                ticket -= Math.Max(1, rank[chosen].Backend.EffectiveWeight);
                if (ticket < 0) break;
            }

            into.Add(rank[chosen].Address);
            rank.RemoveAt(chosen);
            wanted--;
        }
    }
}
