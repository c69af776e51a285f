namespace Fulcrum.Bench.Upgrade;

/// <summary>What the upgrade runs do; parsed from the command line by <see cref="Parse"/>.</summary>
public sealed record UpgradeOptions
{
    /// <summary>The built fulcrum.dll the first process runs.</summary>
    public required string FulcrumDll { get; init; }

    /// <summary>Another build (a copy, or a newer version) to upgrade to; the runs alternate between the two. Null: the same.</summary>
    public string? NextFulcrumDll { get; init; }

    /// <summary>Where the configs, the certificate, each process's log and the summary go.</summary>
    public required string OutDir { get; init; }

    /// <summary>Upgrades in a row, each new process taking over from the one before.</summary>
    public int Runs { get; init; } = 10;

    /// <summary>Load before each upgrade starts.</summary>
    public TimeSpan Before { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Load after the new process took over, the long stream still on the old one.</summary>
    public TimeSpan After { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Each worker sends a request, opens a connection or sends a datagram this often.</summary>
    public TimeSpan Period { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Each process's --drain-timeout.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Print a line per step.</summary>
    public bool Progress { get; init; } = true;

    public const string Usage =
        "usage: UpgradeDriver --fulcrum FULCRUM_DLL [--next-fulcrum FULCRUM_DLL] --out DIR [--runs N] [--before SECONDS] [--after SECONDS] [--period-ms N]";

    /// <summary>Parses the arguments; null with a message for a mistake.</summary>
    public static UpgradeOptions? Parse(string[] args, out string? error)
    {
        error = null;
        string? dll = null, next = null, outDir = null;
        var defaults = new UpgradeOptions { FulcrumDll = "", OutDir = "" };
        var (runs, before, after, period) = (defaults.Runs, defaults.Before, defaults.After, defaults.Period);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--fulcrum": dll = Next(); break;
                    case "--next-fulcrum": next = Next(); break;
                    case "--out": outDir = Next(); break;
                    case "--runs": runs = (int)Positive(Next()); break;
                    case "--before": before = TimeSpan.FromSeconds(Positive(Next())); break;
                    case "--after": after = TimeSpan.FromSeconds(Positive(Next())); break;
                    case "--period-ms": period = TimeSpan.FromMilliseconds(Positive(Next())); break;
                    default: throw new FormatException($"unknown option '{args[i]}'");
                }
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }
        }

        if (dll is null || outDir is null)
        {
            error = "--fulcrum and --out are required";
            return null;
        }

        return new UpgradeOptions { FulcrumDll = dll, NextFulcrumDll = next, OutDir = outDir, Runs = runs, Before = before, After = after, Period = period };
    }

    private static double Positive(string text) =>
        double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new FormatException($"'{text}' is not a positive number");
}
