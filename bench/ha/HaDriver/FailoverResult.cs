using System.Globalization;

namespace Fulcrum.Bench.Ha;

/// <summary>
/// One fault and what the client saw. <see cref="Failover"/> runs from the fault (the kill, the cut, the SIGTERM) to
/// the end of the first successful request the other node answered; <see cref="Takeover"/> to the line in which the
/// other node's keepalived says it became master. <see cref="Failed"/> counts the client's failed requests from the
/// fault until the client was steady again (and, for a switchover, until the old node had exited).
/// </summary>
public sealed record FailoverResult(string Scenario, TimeSpan? Failover, TimeSpan? Takeover, int Failed, int Succeeded, string Errors)
{
    public static string CsvHeader => "scenario,failover_ms,takeover_ms,failed,succeeded,errors";

    public string Csv => string.Create(CultureInfo.InvariantCulture,
        $"{Scenario},{Failover?.TotalMilliseconds:F0},{Takeover?.TotalMilliseconds:F0},{Failed},{Succeeded},\"{Errors}\"");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Scenario}: first success from the other node after {Ms(Failover)}, its keepalived master after {Ms(Takeover)}, {Failed} failed / {Succeeded} ok{(Errors.Length > 0 ? $" ({Errors})" : "")}");

    private static string Ms(TimeSpan? t) => t is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v.TotalMilliseconds:F0} ms") : "never";
}
