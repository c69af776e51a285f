namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A listener or pool name and where it was written.</summary>
internal sealed record NamedItem(string Name, SourceLocation Location);
