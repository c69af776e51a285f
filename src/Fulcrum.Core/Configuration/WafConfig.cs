using System.Collections.Immutable;

namespace Fulcrum.Core.Configuration;

/// <summary>
/// A route's `waf`: the OWASP Core Rule Set run by ModSecurity v3 on each request's head and body (docs/protection.md).
/// The rule-shaping keys (<see cref="Crs"/>, <see cref="CrsSetup"/>, <see cref="Paranoia"/>, <see cref="AnomalyThreshold"/>,
/// <see cref="AllowedMethods"/>, <see cref="ExcludeRules"/>) pick a loaded rule set, shared by every route and reload that asks for the same one;
/// the others act per route.
/// </summary>
public sealed record WafConfig
{
    /// <summary>Debian's modsecurity-crs: the rules are in `rules/` under it.</summary>
    public const string DebianCrs = "/usr/share/modsecurity-crs";

    /// <summary>Debian's crs-setup.conf, beside its two exclusion files (REQUEST-900, RESPONSE-999).</summary>
    public const string DebianCrsSetup = "/etc/modsecurity/crs/crs-setup.conf";

    /// <summary>Inspect, log only, or refuse (default detect: watch for false positives before refusing, as ModSecurity's recommended config starts).</summary>
    public WafMode Mode { get; init; } = WafMode.Detect;

    /// <summary>The CRS paranoia level, 1 to 4 (default 1): higher runs more rules and flags more, false positives included.</summary>
    public int Paranoia { get; init; } = 1;

    /// <summary>The CRS inbound anomaly score at which a request is refused (default 5: one critical rule).</summary>
    public int AnomalyThreshold { get; init; } = 5;

    /// <summary>
    /// The methods the CRS lets through (its tx.allowed_methods, rule 911100). The CRS's own default leaves out PUT,
    /// PATCH and DELETE, which every REST API takes, so Fulcrum's adds them.
    /// </summary>
    public ImmutableArray<string> AllowedMethods { get; init; } = ["GET", "HEAD", "POST", "OPTIONS", "PUT", "PATCH", "DELETE"];

    /// <summary>Rule ids (or ranges of them) removed from the rule set after it loads (`exclude-rules`), ModSecurity's SecRuleRemoveById.</summary>
    public ImmutableArray<WafRuleRange> ExcludeRules { get; init; } = [];

    /// <summary>Request body bytes inspected at most (default 128KiB, ModSecurity's recommended SecRequestBodyNoFilesLimit).</summary>
    public long BodyLimit { get; init; } = 128 * 1024;

    /// <summary>What happens to a body longer than <see cref="BodyLimit"/>: refused with 413 (default) or its first bytes inspected.</summary>
    public WafBodyOverLimit OverLimit { get; init; } = WafBodyOverLimit.Reject;

    /// <summary>The CRS directory (its rules in `rules/*.conf`); relative to the config file.</summary>
    public string Crs { get; init; } = DebianCrs;

    /// <summary>The crs-setup.conf loaded before the rules; relative to the config file.</summary>
    public string CrsSetup { get; init; } = DebianCrsSetup;

    public SourceLocation Location { get; init; } = SourceLocation.None;
}

/// <summary>What the WAF does with a request body longer than `body-limit`.</summary>
public enum WafBodyOverLimit
{
    /// <summary>`reject`: 413 in block mode (ModSecurity's SecRequestBodyLimitAction Reject); counted in detect mode.</summary>
    Reject,
    /// <summary>`inspect-partial`: inspect the first `body-limit` bytes and pass the rest unread (ProcessPartial).</summary>
    InspectPartial,
}

/// <summary>One `exclude-rules` entry: a rule id, or an inclusive range `942100-942199`.</summary>
public readonly record struct WafRuleRange(int From, int To)
{
    public override string ToString() => From == To ? From.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{From}-{To}";
}
