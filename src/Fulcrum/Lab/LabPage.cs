using System.Globalization;
using System.Net;
using System.Text;

namespace Fulcrum.Lab;

/// <summary>
/// One lab report page, built section by section: the same self-contained shape every scenario writes (a verdict at
/// the top, the setup, the seed's claim, the figures, charts as inline SVG, how to read it, the raw data), with no
/// script and nothing fetched, so it opens offline. <see cref="Save"/> writes index.html and the CSV files beside it.
/// </summary>
internal sealed class LabPage
{
    private readonly StringBuilder _html = new();
    private readonly List<(string File, string Text, string What)> _data = [];

    /// <param name="kind">The page's heading before the scenario's name: the lab's, or the simulator's (`Fulcrum simulate`).</param>
    public LabPage(string scenario, DateTimeOffset started, TimeSpan took, bool isShort, string verdict, string kind = "Fulcrum lab")
    {
        _html.Append(CultureInfo.InvariantCulture, $$"""
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>{{Encode(kind)}}: {{Encode(scenario)}}</title>
            <style>body{font-family:sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#222}
            table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:right}
            th:first-child,td:first-child{text-align:left}blockquote{border-left:4px solid #ccc;margin:0;padding:.2em 1em;color:#444}
            .verdict{font-weight:bold;font-size:1.1em}figure{margin:1em 0}</style></head><body>
            <h1>{{Encode(kind)}}: {{Encode(scenario)}}</h1>
            <p>Run {{started:yyyy-MM-dd HH:mm}} UTC on {{Environment.ProcessorCount}} CPUs, {{took.TotalSeconds:0}} s in all{{(isShort ? " (short mode: figures are noisy)" : "")}}.</p>
            <p class="verdict">{{Encode(verdict)}}</p>

            """);
    }

    /// <summary>A heading and paragraphs of trusted HTML (the scenario's own text, figures formatted invariantly).</summary>
    public LabPage Section(string heading, string html)
    {
        _html.Append("<h2>").Append(Encode(heading)).Append("</h2>\n").Append(html).Append('\n');
        return this;
    }

    /// <summary>The seed's words, quoted, and the file they are from.</summary>
    public LabPage Claim(string seedFile, string quote, string? section = null)
    {
        _html.Append("<blockquote>").Append(Encode(quote)).Append("</blockquote><p>seeds/").Append(Encode(seedFile));
        if (section is not null) _html.Append(", \"").Append(Encode(section)).Append('"');
        _html.Append("</p>\n");
        return this;
    }

    /// <summary>A table: the first column left-aligned (the row's name), the rest figures.</summary>
    public LabPage Table(IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string>> rows)
    {
        _html.Append("<table><tr>");
        foreach (var h in headers) _html.Append("<th>").Append(Encode(h)).Append("</th>");
        _html.Append("</tr>\n");
        foreach (var row in rows)
        {
            _html.Append("<tr>");
            foreach (var cell in row) _html.Append("<td>").Append(Encode(cell)).Append("</td>");
            _html.Append("</tr>\n");
        }

        _html.Append("</table>\n");
        return this;
    }

    public LabPage Figure(string svg)
    {
        _html.Append("<figure>").Append(svg).Append("</figure>\n");
        return this;
    }

    /// <summary>A CSV file written beside index.html and linked from the raw data list.</summary>
    public LabPage Data(string file, string csv, string what)
    {
        _data.Add((file, csv, what));
        return this;
    }

    /// <summary>Writes index.html and the data files into <paramref name="directory"/>; returns the path of index.html.</summary>
    public string Save(string directory)
    {
        Directory.CreateDirectory(directory);
        var html = new StringBuilder(_html.ToString()).Append("<h2>Raw data</h2>\n<ul>");
        foreach (var (file, text, what) in _data)
        {
            File.WriteAllText(Path.Combine(directory, file), text);
            html.Append("<li><a href=\"").Append(Encode(file)).Append("\">").Append(Encode(file)).Append("</a>: ").Append(Encode(what)).Append("</li>\n");
        }

        html.Append("</ul>\n</body></html>\n");
        var index = Path.Combine(directory, "index.html");
        File.WriteAllText(index, html.ToString());
        return index;
    }

    public static string Encode(string text) => WebUtility.HtmlEncode(text);

    public static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
