namespace Fulcrum.Discovery;

/// <summary>One discovery source's lookup: `dns:`, `srv:` or `file:`. Never throws for what the world does (a server that does not answer, a missing file): that is a failed <see cref="LookupResult"/>.</summary>
internal interface IBackendLookup
{
    Task<LookupResult> LookupAsync(CancellationToken cancellationToken);
}
