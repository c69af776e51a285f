using System.Globalization;
using System.Text;

namespace Fulcrum.Bench.Soak;

/// <summary>soak.svg: one panel per resource over the run, each scaled from 0 to its maximum, so flat means flat.</summary>
public static class SoakChart
{
    private const int Width = 900;
    private const int PanelHeight = 110;
    private const int Left = 70;
    private const int Top = 20;

    private static readonly (string Title, Func<Sample, double> Value)[] Panels =
    [
        ("RSS (MiB)", s => s.RssKib / 1024.0),
        ("open descriptors", s => s.Fds),
        ("threads", s => s.Threads),
        ("GC heap (MiB)", s => s.GcHeapBytes / 1048576.0),
        ("leases held", s => s.Leases),
        ("load average (1 min)", s => s.Load1),
    ];

    public static string Svg(IReadOnlyList<Sample> samples)
    {
        var height = Top + Panels.Length * (PanelHeight + 30);
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" font-family=\"sans-serif\" font-size=\"12\">\n"));
        svg.Append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
        var end = samples.Count > 0 ? Math.Max(1, samples[^1].Seconds) : 1;
        var plotWidth = Width - Left - 20;
        for (var p = 0; p < Panels.Length; p++)
        {
            var (title, value) = Panels[p];
            var y0 = Top + p * (PanelHeight + 30);
            var points = samples.Select(s => (s.Seconds, Value: value(s))).Where(v => v.Value >= 0).ToArray();
            var max = points.Length > 0 ? Math.Max(1e-9, points.Max(v => v.Value)) : 1;
            svg.Append(Invariant($"<text x=\"{Left}\" y=\"{y0 + 12}\" font-weight=\"bold\">{title}</text>\n"));
            svg.Append(Invariant($"<text x=\"{Left - 6}\" y=\"{y0 + 24}\" text-anchor=\"end\">{max:G4}</text>\n"));
            svg.Append(Invariant($"<text x=\"{Left - 6}\" y=\"{y0 + 16 + PanelHeight}\" text-anchor=\"end\">0</text>\n"));
            svg.Append(Invariant($"<rect x=\"{Left}\" y=\"{y0 + 16}\" width=\"{plotWidth}\" height=\"{PanelHeight}\" fill=\"none\" stroke=\"#ccc\"/>\n"));
            svg.Append("<polyline fill=\"none\" stroke=\"#2060c0\" stroke-width=\"1\" points=\"");
            foreach (var (seconds, v) in points)
            {
                svg.Append(Invariant($"{Left + seconds / end * plotWidth:F1},{y0 + 16 + PanelHeight - v / max * PanelHeight:F1} "));
            }

            svg.Append("\"/>\n");
            svg.Append(Invariant($"<text x=\"{Left + plotWidth}\" y=\"{y0 + PanelHeight + 28}\" text-anchor=\"end\">{end:F0} s</text>\n"));
        }

        svg.Append("</svg>\n");
        return svg.ToString();
    }

    private static string Invariant(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
