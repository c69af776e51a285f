using System.Globalization;
using System.Text;

namespace Fulcrum.Simulation;

/// <summary>
/// What one `fulcrum simulate --scenario` run found: its setup, the expectation from the literature, the figures as a
/// table (cells already formatted), the charts, and whether the figures land within the stated tolerance. Printed as
/// text, or written as a report page with the table beside it as CSV (<see cref="ScenarioPage"/>).
/// </summary>
internal sealed record ScenarioReport(
    string Name,
    string Setup,
    string Expectation,
    IReadOnlyList<string> Headers,
    IReadOnlyList<IReadOnlyList<string>> Rows,
    bool Holds,
    string Figures)
{
    /// <summary>Inline SVG charts (<see cref="Lab.SvgChart"/>).</summary>
    public IReadOnlyList<string> Charts { get; init; } = [];

    /// <summary>How to read the figures: what the table shows beyond the verdict (the report page's last section).</summary>
    public string? Reading { get; init; }

    /// <summary>One sentence: whether the figures show the expectation, with the ones compared.</summary>
    public string Verdict => Holds
        ? $"The simulation agrees with the expectation: {Figures}."
        : $"The simulation does NOT agree with the expectation: {Figures}.";

    /// <summary>The terminal's form: the setup, the expectation, the table in aligned columns and the verdict.</summary>
    public string Text()
    {
        var widths = new int[Headers.Count];
        for (var c = 0; c < Headers.Count; c++)
        {
            widths[c] = Headers[c].Length;
            foreach (var row in Rows) widths[c] = Math.Max(widths[c], row[c].Length);
        }

        var text = new StringBuilder(Setup).Append('\n').Append("Expectation: ").Append(Expectation).Append("\n\n");
        AppendRow(text, Headers, widths);
        foreach (var row in Rows) AppendRow(text, row, widths);
        return text.Append('\n').Append(Verdict).Append('\n').ToString();
    }

    /// <summary>The table as CSV: headers in snake case, the cells as the table shows them.</summary>
    public string Csv()
    {
        var csv = new StringBuilder(string.Join(',', Headers.Select(h => new string([.. h.ToLowerInvariant().Select(ch => char.IsLetterOrDigit(ch) ? ch : '_')]).Trim('_'))));
        csv.Append('\n');
        foreach (var row in Rows) csv.Append(string.Join(',', row.Select(cell => cell.Replace(",", "", StringComparison.Ordinal)))).Append('\n');
        return csv.ToString();
    }

    // The first column (what the row is) left-aligned, the figures right-aligned.
    private static void AppendRow(StringBuilder text, IReadOnlyList<string> cells, int[] widths)
    {
        for (var c = 0; c < cells.Count; c++)
        {
            text.Append(c == 0 ? cells[c].PadRight(widths[c]) : "  " + cells[c].PadLeft(widths[c]));
        }

        text.Append('\n');
    }

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
