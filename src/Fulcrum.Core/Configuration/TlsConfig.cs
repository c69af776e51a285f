using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>https listeners: the certificates to serve, chosen per connection by SNI from each certificate's names.</summary>
public sealed record TlsConfig
{
    public ImmutableArray<CertificateConfig> Certificates { get; init; } = [];
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
