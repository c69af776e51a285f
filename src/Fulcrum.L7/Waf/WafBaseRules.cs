using System.Globalization;

namespace Fulcrum.L7.Waf;

/// <summary>
/// The directives Fulcrum loads around the CRS. ModSecurity ships its settings as modsecurity.conf-recommended (not
/// in Debian's libmodsecurity3); these are the ones the CRS needs from it, with Fulcrum's ids (ModSecurity keeps
/// 1-99999 for local rules). The body limits are ModSecurity's largest on purpose: each route cuts its body at its
/// own `body-limit` before ModSecurity sees it, so routes with other limits share one loaded rule set.
/// </summary>
internal static class WafBaseRules
{
    public const int FirstId = 10001;
    public const int LastId = 10019;

    /// <summary>Loaded before crs-setup.conf.</summary>
    public const string Before = """
        SecRuleEngine On
        SecRequestBodyAccess On
        SecResponseBodyAccess Off
        SecRequestBodyLimit 1073741824
        SecRequestBodyNoFilesLimit 1073741824
        SecRequestBodyLimitAction ProcessPartial
        SecPcreMatchLimit 100000
        SecPcreMatchLimitRecursion 100000
        SecAuditEngine Off
        SecArgumentSeparator &
        SecCookieFormat 0
        SecRule REQUEST_HEADERS:Content-Type "@rx ^(?:application(?:/soap\+|/)|text/)xml" "id:10001,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=XML"
        SecRule REQUEST_HEADERS:Content-Type "@rx ^application/(?:[a-z0-9.+-]+\+)?json" "id:10002,phase:1,t:none,t:lowercase,pass,nolog,ctl:requestBodyProcessor=JSON"
        SecRule REQBODY_ERROR "!@eq 0" "id:10003,phase:2,t:none,log,deny,status:400,msg:'Request body does not parse as its Content-Type says',logdata:'%{reqbody_error_msg}'"
        SecRule MULTIPART_STRICT_ERROR "!@eq 0" "id:10004,phase:2,t:none,log,deny,status:400,msg:'Multipart request body failed strict validation'"

        """;

    /// <summary>Loaded after crs-setup.conf, so the route's paranoia, threshold and methods win over what it sets.</summary>
    public static string Policy(int paranoia, int threshold, string allowedMethods) => string.Create(CultureInfo.InvariantCulture, $"""
        SecAction "id:10010,phase:1,pass,nolog,t:none,setvar:tx.paranoia_level={paranoia},setvar:tx.executing_paranoia_level={paranoia},setvar:tx.inbound_anomaly_score_threshold={threshold},setvar:'tx.allowed_methods={allowedMethods}'"

        """);

    /// <summary>
    /// Loaded after the CRS: the rules that keep state per client in ModSecurity's `ip` collection, removed.
    /// libmodsecurity 3.0.9 reads its collections without a lock while another thread writes them, and keeps an
    /// expired entry until someone reads that very key; with the CRS as shipped, every scanner request wrote an
    /// entry for its address and user agent that stayed (measured: about 600 bytes each, growing without end under a
    /// scanner that varies its user agent). 901318 and 901321 key the collection by client (a SHA-1 of the user agent
    /// per request, too); 910xxx (IP reputation, off by default) and 912xxx (DoS protection, off by default) and
    /// 949100 (reputation blocking) are the only rules that read it. What those did is the job of Fulcrum's
    /// `rate-limit`. The scanner rules (913xxx) still score and refuse; their notes go to one unkeyed entry.
    /// </summary>
    public const string After = "SecRuleRemoveById 901318 901321 910000-910999 912000-912999 949100\n";

    /// <summary>Loaded last: the rules `exclude-rules` removes (SecRuleRemoveById takes ids and ranges).</summary>
    public static string Exclusions(string idsAndRanges) => idsAndRanges.Length == 0 ? "" : $"SecRuleRemoveById {idsAndRanges}\n";
}
