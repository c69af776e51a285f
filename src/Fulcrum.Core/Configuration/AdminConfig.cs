namespace Fulcrum.Core.Configuration;

public sealed record AdminConfig
{
    public required BindAddress Bind { get; init; }
    /// <summary>When set, every admin call but /healthz and /metrics needs `Authorization: Bearer TOKEN`.</summary>
    public string? Token { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
