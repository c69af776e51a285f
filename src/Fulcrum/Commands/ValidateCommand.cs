using System.CommandLine;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Commands;

/// <summary>`fulcrum validate -c FILE`: parse and check a config without starting anything.</summary>
public static class ValidateCommand
{
    public static Command Create()
    {
        var config = CommonOptions.Config();
        var command = new Command("validate", "Check a config file: exit 0 when good, 2 with FILE:LINE:COL lines when not.")
        {
            config,
        };
        command.SetAction(parsed => Validate(parsed.GetRequiredValue(config), Console.Out, Console.Error));
        return command;
    }

    public static int Validate(string path, TextWriter output, TextWriter errors)
    {
        var result = Hosting.ConfigFiles.Load(path);
        if (!result.IsValid)
        {
            WriteErrors(result, errors);
            return ExitCodes.BadUsage;
        }

        output.WriteLine($"{path}: ok");
        return ExitCodes.Success;
    }

    /// <summary>One `FILE:LINE:COL: message` line per error, the format editors and CI jump to.</summary>
    public static void WriteErrors(ConfigLoadResult result, TextWriter errors)
    {
        foreach (var error in result.Errors)
        {
            errors.WriteLine(error.ToString());
        }

        if (result.Errors.IsEmpty)
        {
            errors.WriteLine($"{result.Config?.SourcePath ?? "config"}: invalid");
        }
    }
}
