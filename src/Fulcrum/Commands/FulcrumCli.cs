using System.CommandLine;

namespace Fulcrum.Commands;

/// <summary>The `fulcrum` command tree. Each command lives in its own file; this only joins them.</summary>
public static class FulcrumCli
{
    public static RootCommand Create()
    {
        var root = new RootCommand("Fulcrum: an L4/L7 load balancer.");
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(ValidateCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(CertCommand.Create());
        root.Subcommands.Add(TopCommand.Create());
        root.Subcommands.Add(LabCommand.Create());
        root.Subcommands.Add(SimulateCommand.Create());
        root.Subcommands.Add(KeepalivedCommand.Create());
        root.Subcommands.Add(AnycastCommand.Create());
        return root;
    }

    public static async Task<int> InvokeAsync(string[] args)
    {
        var parsed = Create().Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // System.CommandLine answers parse errors with 1; ours is 2 (bad usage) so scripts can tell
            // a typo from a runtime failure.
            foreach (var error in parsed.Errors)
            {
                await Console.Error.WriteLineAsync($"fulcrum: {error.Message}");
            }

            await Console.Error.WriteLineAsync("Try 'fulcrum --help'.");
            return ExitCodes.BadUsage;
        }

        // The commands handle SIGINT/SIGTERM themselves (to drain), so the library must not.
        var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
        return await parsed.InvokeAsync(invocation);
    }
}
