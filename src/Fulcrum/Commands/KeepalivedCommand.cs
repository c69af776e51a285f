using System.CommandLine;
using Fulcrum.Vrrp;

namespace Fulcrum.Commands;

/// <summary>
/// `fulcrum keepalived -c FILE [--node NAME] [--nftables]`: one node's keepalived.conf from the config's `vrrp:`
/// section, or with --nftables its second-chance rules.
/// </summary>
public static class KeepalivedCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var node = new Option<string?>("--node")
        {
            Description = "The vrrp node to write for (default: this machine's host name).",
        };
        var output = new Option<string?>("--out", "-o")
        {
            Description = "Write to this file (replaced in one step) instead of stdout, e.g. /etc/keepalived/keepalived.conf.",
        };
        var nftables = new Option<bool>("--nftables")
        {
            Description = "Write the node's nftables rules for 'second-chance: true' instead (load them with nft -f).",
        };
        var command = new Command("keepalived", "Write a node's keepalived.conf from the config's vrrp section: keepalived then follows this Fulcrum's own state.")
        {
            config,
            node,
            output,
            nftables,
        };
        command.SetAction(parsed => Write(
            parsed.GetRequiredValue(config),
            parsed.GetValue(node) ?? Environment.MachineName,
            parsed.GetValue(output),
            Console.Out,
            Console.Error,
            parsed.GetValue(nftables)));
        return command;
    }

    public static int Write(string path, string nodeName, string? outPath, TextWriter output, TextWriter errors, bool nftables = false)
    {
        var result = Hosting.ConfigFiles.Load(path);
        if (!result.IsValid)
        {
            ValidateCommand.WriteErrors(result, errors);
            return ExitCodes.BadUsage;
        }

        if (result.Config!.Vrrp is not { } vrrp)
        {
            errors.WriteLine($"{path}: no vrrp section; docs/ha.md shows one");
            return ExitCodes.BadUsage;
        }

        if (vrrp.Nodes.FirstOrDefault(n => n.Name == nodeName) is not { } node)
        {
            errors.WriteLine($"{path}: no vrrp node '{nodeName}'; the nodes are {string.Join(", ", vrrp.Nodes.Select(n => n.Name))} (--node NAME)");
            return ExitCodes.BadUsage;
        }

        if (nftables && !vrrp.SecondChance)
        {
            errors.WriteLine($"{path}: --nftables writes the rules of 'second-chance: true', which the vrrp section does not set (docs/ha.md)");
            return ExitCodes.BadUsage;
        }

        var text = nftables
            ? SecondChanceRules.Write(vrrp, node, Path.GetFullPath(path))
            : KeepalivedConf.Write(vrrp, node, Path.GetFullPath(path));
        var what = nftables ? "nftables rules" : "keepalived.conf";
        if (outPath is null)
        {
            output.Write(text);
            return ExitCodes.Success;
        }

        try
        {
            var temporary = outPath + ".fulcrum-tmp";
            File.WriteAllText(temporary, text);
            File.Move(temporary, outPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"{outPath}: cannot write: {e.Message}");
            return ExitCodes.RuntimeFailure;
        }

        output.WriteLine($"{outPath}: {what} for vrrp node {node.Name}");
        return ExitCodes.Success;
    }
}
