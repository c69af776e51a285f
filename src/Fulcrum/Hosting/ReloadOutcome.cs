using System.Collections.Immutable;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Hosting;

/// <summary>What one reload did: the generation now serving and, when the file was rejected, why.</summary>
public sealed record ReloadOutcome(ReloadTrigger Trigger, long Generation, ImmutableArray<ConfigError> Errors)
{
    public bool Applied => Errors.IsEmpty;
}
