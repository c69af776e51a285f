using System.Globalization;
using System.Net;
using System.Text;

namespace Fulcrum.Lab;

/// <summary>
/// Charts drawn as inline SVG text, so a report opens anywhere with no script and no network:
/// a bar chart and a line chart, with axes, a few ticks and a legend; nothing more.
/// </summary>
public static class SvgChart
{
    private const int Width = 640;
    private const int Height = 260;
    private const int Left = 60;
    private const int Right = 130;
    private const int Top = 30;
    private const int Bottom = 40;

    /// <summary>Colours that stay apart for the colour-blind (Okabe and Ito's palette).</summary>
    public static readonly string[] Colours = ["#0072B2", "#E69F00", "#D55E00", "#009E73", "#CC79A7", "#56B4E9"];

    /// <summary>One bar per label, with its value written above it.</summary>
    public static string Bars(string title, string unit, IReadOnlyList<string> labels, IReadOnlyList<double> values)
    {
        var svg = Open(title);
        var max = NiceMax(values.Count == 0 ? 0 : values.Max());
        YAxis(svg, max, unit);
        var plotWidth = Width - Left - Right;
        var slot = plotWidth / (double)Math.Max(1, labels.Count);
        for (var i = 0; i < labels.Count; i++)
        {
            var h = Scale(values[i], max);
            var x = Left + i * slot + slot * 0.15;
            var y = Height - Bottom - h;
            svg.Append(Invariant($"<rect x=\"{x:0.#}\" y=\"{y:0.#}\" width=\"{slot * 0.7:0.#}\" height=\"{h:0.#}\" fill=\"{Colours[i % Colours.Length]}\"/>"));
            svg.Append(Invariant($"<text x=\"{x + slot * 0.35:0.#}\" y=\"{y - 4:0.#}\" text-anchor=\"middle\" font-size=\"11\">{values[i]:0.#}</text>"));
            svg.Append(Invariant($"<text x=\"{x + slot * 0.35:0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" font-size=\"11\">{Escape(labels[i])}</text>"));
        }

        return Close(svg);
    }

    /// <summary>One line per series over a shared x axis (seconds), with a legend on the right.</summary>
    /// <param name="yMax">The y axis' top when charts side by side must share a scale; 0 fits the data.</param>
    public static string Lines(string title, string unit, IReadOnlyList<(string Name, IReadOnlyList<(double X, double Y)> Points)> series, double yMax = 0, string xUnit = "s")
    {
        var svg = Open(title);
        var maxX = series.SelectMany(s => s.Points).Select(p => p.X).DefaultIfEmpty(1).Max();
        var maxY = NiceMax(Math.Max(yMax, series.SelectMany(s => s.Points).Select(p => p.Y).DefaultIfEmpty(0).Max()));
        YAxis(svg, maxY, unit);
        var plotWidth = Width - Left - Right;
        for (var t = 0; t <= 4; t++)
        {
            var x = Left + plotWidth * t / 4.0;
            svg.Append(Invariant($"<text x=\"{x:0.#}\" y=\"{Height - Bottom + 16}\" text-anchor=\"middle\" font-size=\"11\">{maxX * t / 4:0.#} {xUnit}</text>"));
        }

        for (var i = 0; i < series.Count; i++)
        {
            var colour = Colours[i % Colours.Length];
            var points = new StringBuilder();
            foreach (var (px, py) in series[i].Points)
            {
                var x = Left + (maxX <= 0 ? 0 : px / maxX * plotWidth);
                var y = Height - Bottom - Scale(py, maxY);
                points.Append(Invariant($"{x:0.#},{y:0.#} "));
            }

            svg.Append(Invariant($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"1.5\" points=\"{points.ToString().TrimEnd()}\"/>"));
            var legendY = Top + 14 + i * 16;
            svg.Append(Invariant($"<rect x=\"{Width - Right + 10}\" y=\"{legendY - 9}\" width=\"10\" height=\"10\" fill=\"{colour}\"/>"));
            svg.Append(Invariant($"<text x=\"{Width - Right + 24}\" y=\"{legendY}\" font-size=\"11\">{Escape(series[i].Name)}</text>"));
        }

        return Close(svg);
    }

    private static StringBuilder Open(string title)
    {
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" role=\"img\" font-family=\"sans-serif\">"));
        svg.Append(Invariant($"<title>{Escape(title)}</title>"));
        svg.Append(Invariant($"<text x=\"{Left}\" y=\"18\" font-size=\"13\" font-weight=\"bold\">{Escape(title)}</text>"));
        return svg;
    }

    private static string Close(StringBuilder svg) => svg.Append("</svg>").ToString();

    private static void YAxis(StringBuilder svg, double max, string unit)
    {
        var plotRight = Width - Right;
        for (var t = 0; t <= 4; t++)
        {
            var value = max * t / 4;
            var y = Height - Bottom - Scale(value, max);
            svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{y:0.#}\" x2=\"{plotRight}\" y2=\"{y:0.#}\" stroke=\"#ddd\"/>"));
            svg.Append(Invariant($"<text x=\"{Left - 6}\" y=\"{y + 4:0.#}\" text-anchor=\"end\" font-size=\"11\">{value:0.##}</text>"));
        }

        svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Top}\" x2=\"{Left}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/>"));
        svg.Append(Invariant($"<line x1=\"{Left}\" y1=\"{Height - Bottom}\" x2=\"{plotRight}\" y2=\"{Height - Bottom}\" stroke=\"#333\"/>"));
        svg.Append(Invariant($"<text x=\"12\" y=\"{Top + (Height - Top - Bottom) / 2}\" font-size=\"11\" transform=\"rotate(-90 12 {Top + (Height - Top - Bottom) / 2})\" text-anchor=\"middle\">{Escape(unit)}</text>"));
    }

    private static double Scale(double value, double max) => max <= 0 ? 0 : value / max * (Height - Top - Bottom);

    /// <summary>1, 2 or 5 times a power of ten at or above <paramref name="value"/>, so the ticks read well.</summary>
    private static double NiceMax(double value)
    {
        if (value <= 0) return 1;
        var power = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in (ReadOnlySpan<double>)[1, 2, 5, 10])
        {
            if (step * power >= value) return step * power;
        }

        return 10 * power;
    }

    private static string Escape(string text) => WebUtility.HtmlEncode(text);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
