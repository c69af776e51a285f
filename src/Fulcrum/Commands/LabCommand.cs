using System.CommandLine;
using Fulcrum.Lab;

namespace Fulcrum.Commands;

/// <summary>`fulcrum lab --list` and `fulcrum lab NAME [--out DIR] [--short]`: a seed's claim measured with real processes (docs/lab.md).</summary>
public static class LabCommand
{
    public static Command Create()
    {
        var name = new Argument<string?>("name")
        {
            Description = "The scenario to run (fulcrum lab --list names them).",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var list = new Option<bool>("--list") { Description = "Print the scenarios, one a line, its name first." };
        var output = new Option<string?>("--out") { Description = "Where the report goes (default: lab-reports/NAME)." };
        var isShort = new Option<bool>("--short")
        {
            Description = $"Run for about 10 seconds instead of up to 2 minutes (as {LabSettings.ShortVariable}=1 does); the figures are noisier.",
        };
        var command = new Command("lab", "Run a lab scenario: real backends and a real balancer on 127.0.0.1 under load, and an HTML report of what was measured.")
        {
            name,
            list,
            output,
            isShort,
        };
        command.SetAction((parsed, cancellationToken) => RunAsync(
            parsed.GetValue(name),
            parsed.GetValue(list),
            parsed.GetValue(output),
            parsed.GetValue(isShort) || Environment.GetEnvironmentVariable(LabSettings.ShortVariable) == "1",
            Console.Out,
            Console.Error,
            cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string? name, bool list, string? output, bool isShort, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (list)
        {
            foreach (var scenario in LabScenarios.All)
            {
                await stdout.WriteLineAsync($"{scenario.Name}  {scenario.Summary}");
            }

            return ExitCodes.Success;
        }

        if (name is null)
        {
            await stderr.WriteLineAsync("fulcrum lab: name a scenario, or --list to see them");
            await stderr.WriteLineAsync("Try 'fulcrum --help'.");
            return ExitCodes.BadUsage;
        }

        var found = LabScenarios.Find(name);
        if (found is null)
        {
            await stderr.WriteLineAsync($"fulcrum lab: no scenario '{name}'; fulcrum lab --list names them");
            return ExitCodes.BadUsage;
        }

        var directory = Path.GetFullPath(output ?? Path.Combine("lab-reports", found.Name));
        try
        {
            var report = await found.RunAsync(new LabSettings(directory, isShort), cancellationToken);
            await stdout.WriteLineAsync($"report: {report}");
            return ExitCodes.Success;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await stderr.WriteLineAsync($"fulcrum lab {found.Name}: {e.Message}");
            return ExitCodes.RuntimeFailure;
        }
    }
}
