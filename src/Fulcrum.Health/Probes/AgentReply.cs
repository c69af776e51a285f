using System.Globalization;
using Fulcrum.Core.Model;

namespace Fulcrum.Health.Probes;

/// <summary>
/// One answer of an agent, in HAProxy's agent-check words: words separated by spaces, tabs or commas, read up to a
/// `#` (the rest is a description) or the end of the line. `N%` sets the weight share; `ready`, `drain`, `maint`
/// the administrative state; `up` and `down` (also `failed`, `stopped`) the agent's health. Words it does not know
/// (`maxconn:N`, anything else) are ignored, so an agent written for HAProxy works unchanged.
/// </summary>
internal readonly record struct AgentReply(int? WeightPercent, AgentAdmin? Admin, bool? Down)
{
    public static AgentReply Parse(string line)
    {
        var hash = line.IndexOf('#', StringComparison.Ordinal);
        if (hash >= 0) line = line[..hash];
        int? percent = null;
        AgentAdmin? admin = null;
        bool? down = null;
        foreach (var word in line.Split([' ', '\t', ',', '\r', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            var lower = word.ToLowerInvariant();
            switch (lower)
            {
                case "ready": admin = AgentAdmin.Ready; break;
                case "drain": admin = AgentAdmin.Drain; break;
                case "maint": admin = AgentAdmin.Maintenance; break;
                case "up": down = false; break;
                case "down" or "failed" or "stopped": down = true; break;
                default:
                    if (lower.EndsWith('%') && int.TryParse(lower.AsSpan(0, lower.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var p))
                    {
                        percent = p;
                    }

                    break;
            }
        }

        return new AgentReply(percent, admin, down);
    }

    /// <summary>Applies what the agent said; what it left unsaid stays as it was.</summary>
    public void ApplyTo(BackendReports reports)
    {
        if (WeightPercent is { } percent) reports.SetWeightPercent(percent);
        if (Admin is { } admin) reports.SetAdmin(admin);
        if (Down is { } down) reports.SetAgentDown(down);
    }

    public override string ToString() =>
        string.Join(' ', new[] { WeightPercent is { } p ? $"{p}%" : null, Admin?.ToString().ToLowerInvariant(), Down is { } d ? (d ? "down" : "up") : null }.Where(w => w is not null));
}
