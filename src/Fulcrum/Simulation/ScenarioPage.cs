using System.Net;
using Fulcrum.Lab;

namespace Fulcrum.Simulation;

/// <summary>
/// `fulcrum simulate --scenario NAME --out DIR`: the scenario's report in the lab's shape (<see cref="LabPage"/>: the
/// verdict at the top, the setup, the expectation, the figures, inline SVG charts, no script), with summary.csv beside it.
/// </summary>
internal static class ScenarioPage
{
    /// <summary>Writes DIR/index.html and DIR/summary.csv; returns the path of index.html.</summary>
    public static string Write(string directory, ScenarioReport report, DateTimeOffset started, TimeSpan took)
    {
        var page = new LabPage(report.Name, started, took, isShort: false, report.Verdict, kind: "Fulcrum simulate")
            .Section("Setup", "<p>" + Encode(report.Setup) + "</p>\n<p>A discrete-event simulation on Fulcrum's own balancer classes, in simulated time, seeded: the same seed gives the same figures on any machine (docs/lab.md, \"The simulator\").</p>")
            .Section("What the literature expects", "<blockquote>" + Encode(report.Expectation) + "</blockquote>")
            .Section("What was simulated", "")
            .Table(report.Headers, report.Rows);
        foreach (var chart in report.Charts) page.Figure(chart);
        if (report.Reading is not null) page.Section("How to read it", "<p>" + Encode(report.Reading) + "</p>");
        return page.Data("summary.csv", report.Csv(), "the table above, one row per line").Save(directory);
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
