namespace Fulcrum.Core.Configuration.Parsing;

/// <summary>A socket the config asks for; Owner reads like "listener 'web'" or "admin".</summary>
internal sealed record BindFact(string Owner, BindAddress Bind, bool Udp, SourceLocation Location);
