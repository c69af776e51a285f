namespace Fulcrum.Core.Model;

/// <summary>What a backend's agent said about its administrative state (HAProxy's agent-check words).</summary>
public enum AgentAdmin
{
    /// <summary>`ready` (or nothing said): takes work as the operator and health checks allow.</summary>
    Ready,
    /// <summary>`drain`: no new work; sticky clients and work in flight finish.</summary>
    Drain,
    /// <summary>`maint`: no work at all.</summary>
    Maintenance,
}

/// <summary>
/// What a backend reports about itself (docs/health-checks.md, "Load feedback"), apart from what Fulcrum measures:
/// its agent's weight percentage and state (agent-check), and the utilization it last put in a response header
/// (ORCA's `endpoint-load-metrics`). Fields are written by one reporter and read by every pick, so they are plain
/// volatile values and a report replaces them all at once.
/// </summary>
public sealed class BackendReports
{
    private volatile int _weightPercent = 100;
    private volatile AgentAdmin _admin = AgentAdmin.Ready;
    private volatile bool _agentDown;
    private long _utilizationBits = BitConverter.DoubleToInt64Bits(-1);
    private long _requestsPerSecondBits = BitConverter.DoubleToInt64Bits(-1);
    private long _loadStamp;

    /// <summary>The share of its configured weight the agent asks for (`75%`); 100 until it says otherwise.</summary>
    public int WeightPercent => _weightPercent;
    public AgentAdmin Admin => _admin;
    /// <summary>The agent said `down`, `failed` or `stopped` (and not `up` since).</summary>
    public bool AgentDown => _agentDown;
    /// <summary>The agent lets the backend take new work.</summary>
    public bool AgentAllows => _admin == AgentAdmin.Ready && !_agentDown;

    /// <summary>The last utilization the backend reported (0 idle, 1 saturated, above 1 overloaded); -1 when none.</summary>
    public double Utilization => BitConverter.Int64BitsToDouble(Volatile.Read(ref _utilizationBits));
    /// <summary>The request rate the backend reported with it (`rps_fractional`); -1 when it gave none.</summary>
    public double RequestsPerSecond => BitConverter.Int64BitsToDouble(Volatile.Read(ref _requestsPerSecondBits));
    /// <summary>When the last load report came (TimeProvider timestamp); 0 when none has.</summary>
    public long LoadStamp => Volatile.Read(ref _loadStamp);

    public void SetWeightPercent(int percent) => _weightPercent = Math.Clamp(percent, 0, 256);

    public void SetAdmin(AgentAdmin admin) => _admin = admin;

    public void SetAgentDown(bool down) => _agentDown = down;

    /// <summary>Forgets what the agent said (its check was removed from the config).</summary>
    public void ClearAgent()
    {
        _weightPercent = 100;
        _admin = AgentAdmin.Ready;
        _agentDown = false;
    }

    public void ReportLoad(double utilization, double requestsPerSecond, long now)
    {
        Volatile.Write(ref _utilizationBits, BitConverter.DoubleToInt64Bits(utilization));
        Volatile.Write(ref _requestsPerSecondBits, BitConverter.DoubleToInt64Bits(requestsPerSecond));
        Volatile.Write(ref _loadStamp, now);
    }
}
