using Fulcrum.Core.Configuration;

namespace Fulcrum.Dns.Answers;

/// <summary>A name a record answers for, with the sites of its pool in this topology.</summary>
internal sealed record ZoneName(DnsRecordConfig Record, Site[] Sites, bool UsesGeo);
