using System.Text;

namespace Fulcrum.Lab;

/// <summary>The CSV files every scenario writes the same way.</summary>
internal static class LabCsv
{
    /// <summary>Every request of every run: run, start, latency, backend, status (0: no answer).</summary>
    public static string Requests(IEnumerable<(string Run, IReadOnlyList<RequestSample> Requests)> runs)
    {
        var csv = new StringBuilder("run,start_ms,latency_ms,backend,status\n");
        foreach (var (run, requests) in runs)
        {
            foreach (var r in requests) csv.Append(LabPage.Invariant($"{run},{r.StartMs:0.###},{r.LatencyMs:0.###},{r.Backend},{r.Status}\n"));
        }

        return csv.ToString();
    }

    /// <summary>A header line and rows, each cell already formatted.</summary>
    public static string Table(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        var csv = new StringBuilder(string.Join(',', header)).Append('\n');
        foreach (var row in rows) csv.Append(string.Join(',', row)).Append('\n');
        return csv.ToString();
    }
}
