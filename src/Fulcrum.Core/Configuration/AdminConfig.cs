namespace Fulcrum.Core.Configuration;

/// <summary>The `admin:` section: where the admin API listens and the bearer token it asks for.</summary>
public sealed record AdminConfig
{
    public required BindAddress Bind { get; init; }
    /// <summary>
    /// When set, every admin call but /healthz and /metrics needs `Authorization: Bearer TOKEN`. Required when
    /// <see cref="Bind"/> is not a loopback address.
    /// </summary>
    public string? Token { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;

    // A record prints every property: a config written to a log or an exception must not carry the token with it.
    private bool PrintMembers(System.Text.StringBuilder builder)
    {
        builder.Append("Bind = ").Append(Bind).Append(", Token = ").Append(Token is null ? "none" : "(set)").Append(", Location = ").Append(Location);
        return true;
    }
}
