namespace Fulcrum.Core.Configuration;

/// <summary>A PEM certificate (chain) and its PEM private key; paths are resolved against the config file's folder.</summary>
public sealed record CertificateConfig
{
    public required string Cert { get; init; }
    public required string Key { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
