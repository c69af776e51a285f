using System.Net;

namespace Fulcrum.Bench.Ha.Lab;

/// <summary>One namespace on the lab's bridge: its interface, the bridge's port for it, and its address.</summary>
public sealed record LabMember(string Role, string Namespace, string Interface, string SwitchPort, IPAddress Address);
