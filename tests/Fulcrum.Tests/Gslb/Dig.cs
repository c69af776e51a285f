using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;

namespace Fulcrum.Tests.Gslb;

/// <summary>One answer as BIND's `dig` (Debian's bind9-dnsutils) printed it: status, flags, records by section, ECS.</summary>
public sealed record DigAnswer(string Status, string Flags, IReadOnlyList<string> Answer, IReadOnlyList<string> Authority, string? ClientSubnet, string Text)
{
    /// <summary>The answer section's data (addresses, SOA fields...), in the order received.</summary>
    public IReadOnlyList<string> AnswerData => [.. Answer.Select(static r => r.Split('\t', ' ').Where(static p => p.Length > 0).Last())];
}

/// <summary>Runs `dig` against a listener: the real resolver client, not our own encoder, reads every answer.</summary>
public static partial class Dig
{
    public static async Task<DigAnswer> QueryAsync(IPEndPoint server, string name, string type, params string[] options)
    {
        var info = new ProcessStartInfo("dig") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[$"@{server.Address}", "-p", server.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
                     "+norec", "+tries=1", "+timeout=5", "+nocookie", name, type, .. options])
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info)!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        return Parse(text);
    }

    public static DigAnswer Parse(string text)
    {
        var status = Status().Match(text) is { Success: true } s ? s.Groups[1].Value : "NO-ANSWER";
        var flags = Flags().Match(text) is { Success: true } f ? f.Groups[1].Value.Trim() : "";
        var subnet = Subnet().Match(text) is { Success: true } c ? c.Groups[1].Value.Trim() : null;
        var answer = new List<string>();
        var authority = new List<string>();
        List<string>? section = null;
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd();
            if (line.StartsWith(";; ANSWER SECTION", StringComparison.Ordinal)) section = answer;
            else if (line.StartsWith(";; AUTHORITY SECTION", StringComparison.Ordinal)) section = authority;
            else if (line.StartsWith(';') || line.Length == 0) section = line.Length == 0 ? null : section;
            else section?.Add(line);
        }

        return new DigAnswer(status, flags, answer, authority, subnet, text);
    }

    [GeneratedRegex(@"status: ([A-Z]+)")]
    private static partial Regex Status();

    [GeneratedRegex(@";; flags:([a-z ]*);")]
    private static partial Regex Flags();

    [GeneratedRegex(@"CLIENT-SUBNET: (\S+)")]
    private static partial Regex Subnet();
}
