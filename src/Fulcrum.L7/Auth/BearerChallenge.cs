using System.Text;

namespace Fulcrum.L7.Auth;

/// <summary>The `WWW-Authenticate: Bearer` challenges of RFC 6750 section 3, made once per route.</summary>
internal static class BearerChallenge
{
    /// <summary>
    /// No token: the bare challenge (section 3.1 says no error code then). A bad one: `invalid_token`; a good one
    /// without a required claim: `insufficient_scope` (with 403). The description is Fulcrum's reason word.
    /// </summary>
    public static string For(string? realm, string? error, string? description)
    {
        var text = new StringBuilder("Bearer");
        var separator = " ";
        if (realm is not null)
        {
            text.Append(separator).Append("realm=\"").Append(realm).Append('"');
            separator = ", ";
        }

        if (error is not null)
        {
            text.Append(separator).Append("error=\"").Append(error).Append('"');
            if (description is not null) text.Append(", error_description=\"").Append(description).Append('"');
        }

        return text.ToString();
    }
}
