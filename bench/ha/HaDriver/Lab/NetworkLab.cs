using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;

namespace Fulcrum.Bench.Ha.Lab;

/// <summary>
/// Network namespaces on one bridge, none of it in the host's own namespace: the bridge lives in a namespace of its
/// own (`sw`) and each member (client, balancer nodes, backends) has one veth into it. Every name carries this
/// process's id and a random suffix, so labs of parallel runs never meet, and a lab whose process died is removed by
/// the next one (<see cref="RemoveOrphans"/>). Addresses are 10.231.0.0/24, private and only inside these namespaces.
/// </summary>
public sealed partial class NetworkLab : IDisposable
{
    public const string Subnet = "10.231.0";
    private readonly List<string> _namespaces = [];
    private readonly Dictionary<string, LabMember> _members = new(StringComparer.Ordinal);
    private bool _disposed;

    private NetworkLab(string id)
    {
        Id = id;
        Switch = id + "sw";
    }

    /// <summary>`fh{pid}-{random}`: a prefix of every namespace and interface name of this lab.</summary>
    public string Id { get; }

    /// <summary>The namespace holding the bridge.</summary>
    public string Switch { get; }

    public IReadOnlyDictionary<string, LabMember> Members => _members;

    /// <summary>True where the lab can run: root, and `ip netns` works.</summary>
    public static bool CanRun(out string why)
    {
        if (!OperatingSystem.IsLinux())
        {
            why = "network namespaces are Linux's";
            return false;
        }

        if (!Posix.IsRoot)
        {
            why = "network namespaces need root";
            return false;
        }

        try
        {
            var (code, output) = Command.TryRun("ip", "netns", "list");
            why = code == 0 ? "" : $"`ip netns list` failed: {output.Trim()}";
            return code == 0;
        }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            why = $"no `ip` command: {e.Message}";
            return false;
        }
    }

    /// <summary>Creates the bridge and one member per (role, host number): `Create("cl", 10)` gives 10.231.0.10.</summary>
    public static NetworkLab Create(params (string Role, int Host)[] members)
    {
        RemoveOrphans();
        var id = string.Create(CultureInfo.InvariantCulture, $"fh{Environment.ProcessId:x}-{Random.Shared.Next(256):x2}");
        var lab = new NetworkLab(id);
        try
        {
            lab.AddNamespace(lab.Switch);
            Command.Run("ip", "-n", lab.Switch, "link", "add", "br0", "type", "bridge");
            Command.Run("ip", "-n", lab.Switch, "link", "set", "br0", "up");
            foreach (var (role, host) in members) lab.AddMember(role, host);
            return lab;
        }
        catch
        {
            lab.Dispose();
            throw;
        }
    }

    public LabMember this[string role] => _members[role];

    /// <summary>Pulls the member's cable: its port on the bridge goes down, and its own end loses carrier.</summary>
    public void CutLink(string role) => Command.Run("ip", "-n", Switch, "link", "set", _members[role].SwitchPort, "down");

    public void RestoreLink(string role) => Command.Run("ip", "-n", Switch, "link", "set", _members[role].SwitchPort, "up");

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        foreach (var name in Enumerable.Reverse(_namespaces)) RemoveNamespace(name);
    }

    /// <summary>Removes the namespaces of labs whose process is gone (a test run that was killed), and what still runs in them.</summary>
    public static void RemoveOrphans()
    {
        foreach (var line in Command.Run("ip", "netns", "list").Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = line.Split(' ')[0];
            var match = LabName().Match(name);
            if (!match.Success) continue;
            var pid = int.Parse(match.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (!Posix.IsAlive(pid)) RemoveNamespace(name);
        }
    }

    private void AddMember(string role, int host)
    {
        var name = Id + role;
        AddNamespace(name);
        var member = new LabMember(role, name, Id + role, Id + role + "p", IPAddress.Parse($"{Subnet}.{host}"));
        // Both ends are created straight in their namespaces: nothing appears in the host's, even for a moment.
        Command.Run("ip", "-n", Switch, "link", "add", member.SwitchPort, "type", "veth", "peer", "name", member.Interface, "netns", name);
        Command.Run("ip", "-n", Switch, "link", "set", member.SwitchPort, "master", "br0", "up");
        Command.Run("ip", "-n", name, "addr", "add", $"{member.Address}/24", "dev", member.Interface);
        Command.Run("ip", "-n", name, "link", "set", member.Interface, "up");
        Command.Run("ip", "-n", name, "link", "set", "lo", "up");
        _members.Add(role, member);
    }

    private void AddNamespace(string name)
    {
        Command.Run("ip", "netns", "add", name);
        _namespaces.Add(name);
    }

    private static void RemoveNamespace(string name)
    {
        // A process left inside keeps the namespace alive after `ip netns del`; end them first.
        var (_, pids) = Command.TryRun("ip", "netns", "pids", name);
        foreach (var pid in pids.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            if (int.TryParse(pid, CultureInfo.InvariantCulture, out var id))
            {
                try
                {
                    Posix.Kill(id, Posix.SIGKILL);
                }
                catch (InvalidOperationException)
                {
                    // Gone meanwhile.
                }
            }
        }

        Command.TryRun("ip", "netns", "del", name);
    }

    [GeneratedRegex("^fh([0-9a-f]+)-[0-9a-f]{2}[a-z]+$")]
    private static partial Regex LabName();
}

