using System.Collections;
using System.Globalization;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Fulcrum.L7.Auth;

/// <summary>A verified token's claim values as strings, for `require`, `forward-claims` and `jwt:CLAIM` rate-limit keys.</summary>
internal static class TokenClaims
{
    /// <summary>The claim as one string: itself, or an array's elements joined by commas; null when the token lacks it.</summary>
    public static string? First(JsonWebToken token, string claim)
    {
        if (token.TryGetPayloadValue<string>(claim, out var text)) return text;
        var values = Values(token, claim);
        return values.Count == 0 ? null : string.Join(',', values);
    }

    /// <summary>
    /// Every value of the claim: an array's elements, and for `scope` and `scp` the space-separated scopes of
    /// RFC 8693 section 4.2.
    /// </summary>
    public static List<string> Values(JsonWebToken token, string claim)
    {
        var values = new List<string>();
        if (!token.TryGetPayloadValue<object>(claim, out var value) || value is null) return values;
        Add(values, value);
        if (claim is "scope" or "scp" && values.Count == 1 && values[0].Contains(' '))
        {
            var scopes = values[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            values.Clear();
            values.AddRange(scopes);
        }

        return values;
    }

    private static void Add(List<string> values, object value)
    {
        switch (value)
        {
            case string s:
                values.Add(s);
                break;
            case JsonElement { ValueKind: JsonValueKind.Array } array:
                foreach (var item in array.EnumerateArray()) values.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText());
                break;
            case JsonElement element:
                values.Add(element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText());
                break;
            case bool b:
                values.Add(b ? "true" : "false");
                break;
            case IEnumerable list:
                foreach (var item in list)
                {
                    if (item is not null) Add(values, item);
                }

                break;
            default:
                values.Add(Convert.ToString(value, CultureInfo.InvariantCulture) ?? "");
                break;
        }
    }
}
