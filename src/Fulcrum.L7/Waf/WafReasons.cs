namespace Fulcrum.L7.Waf;

/// <summary>
/// The reason a flagged request is counted and logged under, from the rules that matched. The CRS numbers its rules by
/// file, one attack class a file (REQUEST-942-APPLICATION-ATTACK-SQLI.conf holds 942000-942999), so a rule's id says
/// its class. The attack class with the most rules matched names the reason (the first to match breaks a tie:
/// `;cat /etc/passwd` is two command-injection rules and one OS-file rule, so `rce`), else the first protocol rule,
/// else `anomaly`.
/// </summary>
internal static class WafReasons
{
    /// <summary>A body over `body-limit` with `body-over-limit: reject`.</summary>
    public const string BodyTooLarge = "body-too-large";

    /// <summary>A body ModSecurity could not parse as its type says (Fulcrum's base rules).</summary>
    public const string BadBody = "bad-body";

    /// <summary>Refused, but by no rule of a known class (a rule of a custom CRS, say).</summary>
    public const string Anomaly = "anomaly";

    /// <summary>Every reason, so a filter takes all its counters when it is built.</summary>
    public static readonly string[] All =
    [
        "sqli", "xss", "lfi", "rfi", "rce", "php", "nodejs", "java", "session-fixation",
        "scanner", "protocol", "protocol-attack", "multipart", "method", BadBody, BodyTooLarge, Anomaly,
    ];

    /// <summary>The index in <see cref="All"/> of <paramref name="reason"/>.</summary>
    public static int IndexOf(string reason) => Array.IndexOf(All, reason);

    /// <summary>The reason (its index in <see cref="All"/>) for a flagged request from the ids that matched, in match order.</summary>
    public static int Of(WafFindings findings)
    {
        string? protocol = null;
        string? attack = null;
        var most = 0;
        for (var i = 0; i < findings.Count; i++)
        {
            var id = findings[i];
            if (AttackOf(id) is not { } kind)
            {
                protocol ??= ProtocolOf(id);
                continue;
            }

            var count = 0;
            for (var j = 0; j < findings.Count; j++)
            {
                if (findings[j] / 1000 == id / 1000) count++;
            }

            if (count > most) (attack, most) = (kind, count);
        }

        return IndexOf(attack ?? protocol ?? Anomaly);
    }

    // CRS 3.3's REQUEST-93x and -94x files: application attacks.
    private static string? AttackOf(int id) => (id / 1000) switch
    {
        930 => "lfi",
        931 => "rfi",
        932 => "rce",
        933 => "php",
        934 => "nodejs",
        941 => "xss",
        942 => "sqli",
        943 => "session-fixation",
        944 => "java",
        _ => null,
    };

    // REQUEST-91x and -92x: what the client is and how it speaks HTTP; Fulcrum's own base rules are below 100000.
    private static string? ProtocolOf(int id) => (id / 1000) switch
    {
        911 => "method",
        913 => "scanner",
        920 => "protocol",
        921 => "protocol-attack",
        922 => "multipart",
        _ when id < WafBaseRules.LastId + 1 && id >= WafBaseRules.FirstId => BadBody,
        _ => null,
    };
}
