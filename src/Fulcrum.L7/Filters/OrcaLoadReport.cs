using System.Globalization;
using System.Text.Json;

namespace Fulcrum.L7.Filters;

/// <summary>
/// A backend's load report in a response header, in the ORCA formats Envoy reads from `endpoint-load-metrics`:
/// `TEXT cpu_utilization=0.3, rps_fractional=120` or `JSON {"cpu_utilization": 0.3, ...}` (the binary `BIN` form is
/// not read). The utilization is `application_utilization` when the backend gives one above 0, else
/// `cpu_utilization`, as gRPC's weighted round robin takes it.
/// </summary>
internal readonly record struct OrcaLoadReport(double Utilization, double RequestsPerSecond)
{
    public static bool TryParse(string value, out OrcaLoadReport report)
    {
        report = default;
        double cpu = -1, application = -1, rps = -1;
        var text = value.AsSpan().Trim();
        if (text.StartsWith("TEXT ", StringComparison.OrdinalIgnoreCase))
        {
            foreach (var range in text[5..].Split(','))
            {
                var pair = text[5..][range].Trim();
                var equals = pair.IndexOf('=');
                if (equals <= 0 || !double.TryParse(pair[(equals + 1)..].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)) continue;
                Assign(pair[..equals].Trim().ToString(), number, ref cpu, ref application, ref rps);
            }
        }
        else if (text.StartsWith("JSON ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                using var json = JsonDocument.Parse(text[5..].ToString());
                if (json.RootElement.ValueKind != JsonValueKind.Object) return false;
                foreach (var property in json.RootElement.EnumerateObject())
                {
                    if (property.Value.ValueKind == JsonValueKind.Number) Assign(property.Name, property.Value.GetDouble(), ref cpu, ref application, ref rps);
                }
            }
            catch (JsonException)
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        var utilization = application > 0 ? application : cpu;
        if (utilization < 0 || double.IsNaN(utilization) || double.IsInfinity(utilization)) return false;
        report = new OrcaLoadReport(utilization, rps);
        return true;
    }

    private static void Assign(string name, double value, ref double cpu, ref double application, ref double rps)
    {
        switch (name)
        {
            case "cpu_utilization": cpu = value; break;
            case "application_utilization": application = value; break;
            case "rps_fractional": rps = value; break;
        }
    }
}
