using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>Either a valid config or the errors that stop it; never both, never an exception.</summary>
public sealed record ConfigLoadResult(FulcrumConfig? Config, ImmutableArray<ConfigError> Errors)
{
    public bool IsValid => Config is not null && Errors.IsEmpty;
}
