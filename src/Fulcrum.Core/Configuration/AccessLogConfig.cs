namespace Fulcrum.Core.Configuration;

/// <summary>`access-log:` at the top level (every listener) or on one listener (overrides the top level).</summary>
public sealed record AccessLogConfig
{
    /// <summary>`stdout` (the default) or a file, appended to; relative paths are relative to the config file.</summary>
    public string Path { get; init; } = "stdout";
    /// <summary>`json` (the default: one JSON object a line) or a template with `{field}` names.</summary>
    public string Format { get; init; } = "json";
    /// <summary>The share of requests (connections for tcp) logged, 0 to 1 (default 1: all).</summary>
    public double Sample { get; init; } = 1.0;
    /// <summary>Lines that may wait for the writer; when that many wait, new lines are dropped and counted (default 8192).</summary>
    public int Buffer { get; init; } = 8192;
    /// <summary>False turns a top-level access log off for one listener (`access-log: {enabled: false}`).</summary>
    public bool Enabled { get; init; } = true;
    public SourceLocation Location { get; init; } = SourceLocation.None;

    public bool IsJson => string.Equals(Format, "json", StringComparison.OrdinalIgnoreCase);
}
