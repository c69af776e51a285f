namespace Fulcrum.Core.Configuration;

/// <summary>`tracing:`: an OpenTelemetry span per proxied request from the ActivitySource "Fulcrum", W3C traceparent to backends.</summary>
public sealed record TracingConfig
{
    /// <summary>Default false: no spans and no traceparent header unless asked.</summary>
    public bool Enabled { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
}
