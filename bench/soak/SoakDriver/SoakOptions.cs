namespace Fulcrum.Bench.Soak;

/// <summary>What one soak run does; parsed from the command line by <see cref="Parse"/>.</summary>
public sealed record SoakOptions
{
    /// <summary>How long the load runs (chaos runs the whole time).</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromMinutes(30);

    /// <summary>The built fulcrum.dll, run as `dotnet fulcrum.dll run -c FILE`.</summary>
    public required string FulcrumDll { get; init; }

    /// <summary>Where the config, certificates, the CSV, the summary, the chart and Fulcrum's log go.</summary>
    public required string OutDir { get; init; }

    /// <summary>Whether RSS and descriptor growth fail the run (off for the test suite's short soak).</summary>
    public bool GrowthCheck { get; init; } = true;

    /// <summary>Multiplies every worker's request rate (1: about 400 requests and connections a second in all).</summary>
    public double Rate { get; init; } = 1;

    /// <summary>Print progress lines (one every 10 s) to stdout.</summary>
    public bool Progress { get; init; } = true;

    /// <summary>A run of at least this long compares minute 5 to the end; shorter ones use the short-mode rule.</summary>
    public static readonly TimeSpan LongRun = TimeSpan.FromMinutes(6);

    public const string Usage =
        "usage: SoakDriver --fulcrum FULCRUM_DLL --out DIR (--minutes N | --seconds N) [--rate X] [--no-growth-check]";

    /// <summary>Parses the arguments; null with a message for a mistake.</summary>
    public static SoakOptions? Parse(string[] args, out string? error)
    {
        error = null;
        string? dll = null, outDir = null;
        TimeSpan? duration = null;
        var growth = true;
        var rate = 1.0;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
            try
            {
                switch (args[i])
                {
                    case "--fulcrum": dll = Next(); break;
                    case "--out": outDir = Next(); break;
                    case "--minutes": duration = TimeSpan.FromMinutes(PositiveNumber(Next())); break;
                    case "--seconds": duration = TimeSpan.FromSeconds(PositiveNumber(Next())); break;
                    case "--rate": rate = PositiveNumber(Next()); break;
                    case "--no-growth-check": growth = false; break;
                    default: throw new FormatException($"unknown option '{args[i]}'");
                }
            }
            catch (FormatException e)
            {
                error = e.Message;
                return null;
            }
        }

        if (dll is null || outDir is null || duration is null)
        {
            error = "--fulcrum, --out and --minutes or --seconds are required";
            return null;
        }

        return new SoakOptions { FulcrumDll = dll, OutDir = outDir, Duration = duration.Value, GrowthCheck = growth, Rate = rate };
    }

    private static double PositiveNumber(string text) =>
        double.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new FormatException($"'{text}' is not a positive number");
}
