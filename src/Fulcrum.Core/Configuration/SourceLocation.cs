namespace Fulcrum.Core.Configuration;

/// <summary>Where a config value came from, so every error a user sees names FILE:LINE:COL.</summary>
public sealed record SourceLocation(string File, int Line, int Column)
{
    public static readonly SourceLocation None = new("<none>", 0, 0);

    public override string ToString() => $"{File}:{Line}:{Column}";
}
