using Fulcrum.Core.Configuration;

namespace Fulcrum.L7.Waf;

/// <summary>
/// What makes two routes' rule sets the same: the files, their paranoia, threshold and exclusions, and a stamp of the
/// files' sizes and times, so a reload after crs-setup.conf was edited loads it again while one that only moved a
/// route keeps the loaded set.
/// </summary>
internal sealed record WafRuleSetKey(string Crs, string CrsSetup, int Paranoia, int AnomalyThreshold, string AllowedMethods, string Exclusions, string Stamp)
{
    /// <summary>The names Debian gives the CRS's two exclusion files, beside its crs-setup.conf; loaded when they are there.</summary>
    public const string ExclusionsBefore = "REQUEST-900-EXCLUSION-RULES-BEFORE-CRS.conf";
    public const string ExclusionsAfter = "RESPONSE-999-EXCLUSION-RULES-AFTER-CRS.conf";

    public string RulesDirectory => Path.Combine(Crs, "rules");

    public string SetupDirectory => Path.GetDirectoryName(CrsSetup) ?? "/";

    public static WafRuleSetKey Of(WafConfig config)
    {
        // SecRuleRemoveById's own syntax: ids and ranges, space-separated; sorted, so the same list in another order is the same set.
        var exclusions = string.Join(' ', config.ExcludeRules.Distinct().OrderBy(static r => r.From).ThenBy(static r => r.To));
        var crs = Path.GetFullPath(config.Crs);
        var setup = Path.GetFullPath(config.CrsSetup);
        var methods = string.Join(' ', config.AllowedMethods.Order(StringComparer.Ordinal));
        return new WafRuleSetKey(crs, setup, config.Paranoia, config.AnomalyThreshold, methods, exclusions, StampOf(crs, setup));
    }

    /// <summary>Debian's REQUEST-900 beside crs-setup.conf, when it is there: loaded after crs-setup, before the rules.</summary>
    public IEnumerable<string> OptionalBefore => Existing(Path.Combine(SetupDirectory, ExclusionsBefore));

    /// <summary>Debian's RESPONSE-999, when it is there: loaded after the rules.</summary>
    public IEnumerable<string> OptionalAfter => Existing(Path.Combine(SetupDirectory, ExclusionsAfter));

    /// <summary>The CRS's rules/*.conf in name order (as Apache's Include sorts a glob), or empty when there is no such directory.</summary>
    public string[] RuleFiles() => Directory.Exists(RulesDirectory)
        ? [.. Directory.EnumerateFiles(RulesDirectory, "*.conf").Order(StringComparer.Ordinal)]
        : [];

    private static IEnumerable<string> Existing(string path) => File.Exists(path) ? [path] : [];

    // Every file the load reads: the setup's directory and the rules' (the .data files the rules name included).
    private static string StampOf(string crs, string setup)
    {
        var hash = new HashCode();
        foreach (var directory in new[] { Path.GetDirectoryName(setup), Path.Combine(crs, "rules") })
        {
            if (directory is null || !Directory.Exists(directory)) continue;
            foreach (var file in new DirectoryInfo(directory).EnumerateFiles().OrderBy(static f => f.Name, StringComparer.Ordinal))
            {
                hash.Add(file.Name);
                hash.Add(file.Length);
                hash.Add(file.LastWriteTimeUtc.Ticks);
            }
        }

        return hash.ToHashCode().ToString("x8", System.Globalization.CultureInfo.InvariantCulture);
    }
}
