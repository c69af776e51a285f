using System.Globalization;

namespace Fulcrum.Tests.Lab;

/// <summary>A lab report's summary.csv read back: one row per run, cells by column name.</summary>
internal sealed class LabSummary
{
    private readonly string[] _header;
    private readonly Dictionary<string, string[]> _rows;

    private LabSummary(string[] lines)
    {
        _header = lines[0].Split(',');
        _rows = lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')).ToDictionary(r => r[0]);
        Text = string.Join('\n', lines);
    }

    public string Text { get; }

    public IEnumerable<string> Runs => _rows.Keys;

    public static async Task<LabSummary> ReadAsync(string directory, string file = "summary.csv") =>
        new(await File.ReadAllLinesAsync(Path.Combine(directory, file)));

    public double this[string run, string column] =>
        double.Parse(_rows[run][Array.IndexOf(_header, column)], CultureInfo.InvariantCulture);

    public string Cell(string run, string column) => _rows[run][Array.IndexOf(_header, column)];
}
