namespace Fulcrum.Health.Probes;

/// <summary>One probe's verdict and a short text for the API and logs ("passed: 200", "failed: timeout").</summary>
public readonly record struct ProbeResult(bool Passed, string Detail)
{
    public static ProbeResult Pass(string detail) => new(true, "passed: " + detail);

    public static ProbeResult Fail(string detail) => new(false, "failed: " + detail);
}
