namespace Fulcrum.Admin.Json;

/// <summary>Every 4xx and 5xx answer of the API: a message and, for a bad config, one line per error.</summary>
public sealed record ErrorView(string Error, IReadOnlyList<string>? Details = null);
