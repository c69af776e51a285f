using System.Globalization;

namespace Fulcrum.Bench.Ha.Anycast;

/// <summary>
/// One fault of the anycast lab, injected at <see cref="At"/> on the lab's clock, and what the router and the client
/// saw: <see cref="Withdrawn"/> runs from the fault to
/// the moment the router's kernel route no longer leads to the node; <see cref="LastFailure"/> to the end of the last
/// failed request; <see cref="Failed"/> counts the requests that failed from the fault until the client was steady
/// again, each on a new connection (a new flow).
/// </summary>
public sealed record AnycastResult(string Scenario, TimeSpan At, TimeSpan? Withdrawn, TimeSpan? LastFailure, int Failed, int Succeeded, string Errors)
{
    public static string CsvHeader => "scenario,withdrawn_ms,last_failure_ms,failed,succeeded,errors";

    public string Csv => string.Create(CultureInfo.InvariantCulture,
        $"{Scenario},{Withdrawn?.TotalMilliseconds:F0},{LastFailure?.TotalMilliseconds:F0},{Failed},{Succeeded},\"{Errors}\"");

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Scenario}: route withdrawn at the router after {Ms(Withdrawn)}, last failed request ended after {Ms(LastFailure)}, {Failed} failed / {Succeeded} ok{(Errors.Length > 0 ? $" ({Errors})" : "")}");

    private static string Ms(TimeSpan? t) => t is { } v ? string.Create(CultureInfo.InvariantCulture, $"{v.TotalMilliseconds:F0} ms") : "never";
}
