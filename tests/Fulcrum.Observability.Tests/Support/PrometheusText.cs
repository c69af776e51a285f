using System.Globalization;

namespace Fulcrum.Observability.Tests.Support;

/// <summary>Reads sample values out of a Prometheus text exposition, for assertions.</summary>
public static class PrometheusText
{
    /// <summary>The value of the sample whose name and labels are exactly <paramref name="series"/>, e.g. name{a="1",b="2"}.</summary>
    public static double Value(string text, string series)
    {
        foreach (var line in text.Split('\n'))
        {
            if (line.StartsWith(series + " ", StringComparison.Ordinal))
            {
                return double.Parse(line.AsSpan(series.Length + 1), CultureInfo.InvariantCulture);
            }
        }

        throw new Xunit.Sdk.XunitException($"no sample {series} in:\n{text}");
    }
}
