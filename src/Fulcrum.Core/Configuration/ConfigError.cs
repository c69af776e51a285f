namespace Fulcrum.Core.Configuration;

/// <summary>A mistake in a config file: a value with a location, never an exception.</summary>
public sealed record ConfigError(SourceLocation Location, string Message)
{
    public override string ToString() => $"{Location}: {Message}";
}
