using System.CommandLine;

namespace Fulcrum.Commands;

/// <summary>Options more than one command takes, spelled the same everywhere.</summary>
internal static class CommonOptions
{
    public static Option<string> Config() => new("--config", "-c")
    {
        Description = "The YAML config file.",
        Required = true,
    };

    public static Option<TimeSpan> DrainTimeout() => new("--drain-timeout")
    {
        Description = "On SIGTERM/SIGINT, how long in-flight work may take to finish before connections are closed (e.g. 30s, 500ms).",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(30),
        CustomParser = result => ParseDuration(result),
    };

    public static Option<Microsoft.Extensions.Logging.LogLevel> LogLevel() => new("--log-level")
    {
        Description = "Least severe log level written: Trace, Debug, Information, Warning, Error.",
        DefaultValueFactory = _ => Microsoft.Extensions.Logging.LogLevel.Information,
    };

    internal static TimeSpan ParseDuration(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count == 0 ? "" : result.Tokens[0].Value;
        if (DurationText.TryParse(text, out var value))
        {
            return value;
        }

        result.AddError($"'{text}' is not a duration; use e.g. 30s, 500ms, 2m");
        return default;
    }
}
