using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Tests.Configuration;

internal static class ConfigAssert
{
    public const string File = "fulcrum.yaml";

    public static FulcrumConfig Valid(string yaml)
    {
        var result = ConfigLoader.LoadText(yaml, File);
        Assert.True(result.IsValid, "expected a valid config, got:\n" + string.Join("\n", result.Errors));
        return result.Config!;
    }

    /// <summary>Asserts the file has exactly this one error, rendered as `fulcrum.yaml:LINE:COL: message`.</summary>
    public static void OneError(string yaml, int line, int column, string message)
    {
        var result = ConfigLoader.LoadText(yaml, File);
        Assert.Null(result.Config);
        Assert.Equal($"{File}:{line}:{column}: {message}", string.Join("\n", result.Errors));
    }

    public static IReadOnlyList<string> Errors(string yaml)
    {
        var result = ConfigLoader.LoadText(yaml, File);
        Assert.False(result.IsValid);
        return result.Errors.Select(e => e.ToString()).ToList();
    }
}
