namespace Fulcrum.L7.Waf;

/// <summary>What the rules decided for one request.</summary>
/// <param name="Status">The status the rules would answer with (403 for the CRS, 400 for a body that does not parse), or 0 when they let it pass.</param>
/// <param name="Reason">An index into <see cref="WafReasons.All"/>; meaningful when flagged.</param>
/// <param name="Rules">The ids of the rules that matched, space-separated (only when flagged).</param>
/// <param name="RedirectTo">Where a rule's `redirect` action sends the client, or null.</param>
internal readonly record struct WafVerdict(int Status, int Reason, string? Rules, string? RedirectTo)
{
    public static readonly WafVerdict Pass = new(0, 0, null, null);

    public bool Flagged => Status != 0;

    public string ReasonName => WafReasons.All[Reason];
}
