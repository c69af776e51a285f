namespace Fulcrum.Core.Configuration;

/// <summary>`auth.basic` on a route: HTTP Basic (RFC 7617) against an htpasswd file of bcrypt hashes (`htpasswd -B`).</summary>
public sealed record BasicAuthConfig
{
    /// <summary>`htpasswd`: the file, relative to the config's folder; read again on every reload.</summary>
    public string Htpasswd { get; init; } = "";
    /// <summary>`realm` in the `WWW-Authenticate` challenge (default "fulcrum").</summary>
    public string Realm { get; init; } = "fulcrum";
    /// <summary>`user-header`: a request header that tells the backend who signed in; the client's own copy is removed first.</summary>
    public string? UserHeader { get; init; }
    public SourceLocation Location { get; init; } = SourceLocation.None;
    /// <summary>Where the `htpasswd` key is, for errors about the file it names.</summary>
    public SourceLocation HtpasswdLocation { get; init; } = SourceLocation.None;
}
