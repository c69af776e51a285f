using System.CommandLine;
using System.Globalization;
using Fulcrum.Core.Balancing;
using Fulcrum.Simulation;

namespace Fulcrum.Commands;

/// <summary>`fulcrum simulate`: the discrete-event simulator, for scales no single machine hosts (docs/lab.md, "The simulator").</summary>
public static class SimulateCommand
{
    /// <summary>
    /// Algorithms whose pick scans every backend (docs/algorithms.md, the cost column): at 10,000 backends and
    /// 10 million requests one of them alone takes minutes, so they run by default only below <see cref="ScanBudget"/>.
    /// </summary>
    private static readonly string[] Scanning =
    [
        BalancerNames.WeightedRoundRobin, BalancerNames.LeastConnections, BalancerNames.WeightedLeastConnections,
        BalancerNames.LeastResponseTime, BalancerNames.Random, BalancerNames.IpHash, BalancerNames.LeastBandwidth, BalancerNames.WeightedByLoad,
    ];

    /// <summary>Backends x requests under which the scanning algorithms run by default (a few seconds each).</summary>
    private const double ScanBudget = 1e9;

    public static Command Create()
    {
        var backends = new Option<int>("--backends") { Description = "Backends in the pool.", DefaultValueFactory = _ => 100 };
        var requests = new Option<long>("--requests") { Description = "Requests to simulate.", DefaultValueFactory = _ => 1_000_000 };
        var algorithms = new Option<string[]>("--algorithm")
        {
            Description = "An algorithm to run (repeat it, or give a comma list); default: every non-hashing one that fits the scale.",
            AllowMultipleArgumentsPerToken = true,
        };
        var load = new Option<double>("--load") { Description = "Offered load as a share of capacity.", DefaultValueFactory = _ => 0.9 };
        var service = new Option<string>("--service") { Description = "Service times: exp, const, lognormal, bimodal or tail (1% of requests 10x to 100x slower).", DefaultValueFactory = _ => "exp" };
        var mean = new Option<double>("--mean-ms") { Description = "Mean service time on a backend of speed 1, in ms.", DefaultValueFactory = _ => 10 };
        var workers = new Option<int>("--workers") { Description = "Requests each backend serves at once.", DefaultValueFactory = _ => 1 };
        var slowFraction = new Option<double>("--slow-fraction") { Description = "Share of backends that are slow." };
        var slowFactor = new Option<double>("--slow-factor") { Description = "How many times slower they are.", DefaultValueFactory = _ => 10 };
        var failFraction = new Option<double>("--fail-fraction") { Description = "Share of backends that answer every request with a quick error." };
        var retries = new Option<int>("--retries") { Description = "Retries after an error, each on a new pick." };
        var balancers = new Option<int>("--balancers") { Description = "Independent balancers in front of the pool.", DefaultValueFactory = _ => 1 };
        var refresh = new Option<double>("--refresh-ms") { Description = "With several balancers: how often they all learn the true load (0: each knows only its own requests)." };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed gives the same run.", DefaultValueFactory = _ => 1 };
        var output = new Option<string?>("--out") { Description = "Also write DIR/index.html and DIR/summary.csv." };
        var scenario = new Option<string?>("--scenario")
        {
            Description = $"Run a question from the literature with its expectation instead: {string.Join(", ", SimulationScenarios.Names)}.",
        };
        var clients = new Option<int>("--clients") { Description = "A closed loop of this many clients instead of Poisson arrivals at --load." };
        var hedge = new Option<double>("--hedge-ms") { Description = "Hedged requests: a request unanswered after this many ms sends a copy to another backend; the first answer wins (0: off)." };
        var command = new Command("simulate", "Simulate balancers in front of queueing backends at any scale, on Fulcrum's own balancer classes, in simulated time.")
        {
            backends, requests, algorithms, load, service, mean, workers, slowFraction, slowFactor, failFraction, retries, balancers, refresh, seed, output, scenario, clients, hedge,
        };
        command.SetAction(parsed =>
        {
            if (parsed.GetValue(scenario) is { } named)
            {
                return RunScenario(named, parsed.GetValue(seed), parsed.GetValue(output), Console.Out, Console.Error);
            }

            if (!ServiceTimes.TryParse(parsed.GetValue(service)!, out var shape))
            {
                Console.Error.WriteLine($"fulcrum simulate: --service must be exp, const, lognormal, bimodal or tail, not '{parsed.GetValue(service)}'");
                return ExitCodes.BadUsage;
            }

            var settings = new SimulationSettings
            {
                Backends = parsed.GetValue(backends),
                Requests = parsed.GetValue(requests),
                Load = parsed.GetValue(load),
                Service = shape,
                MeanService = parsed.GetValue(mean) / 1000,
                Workers = parsed.GetValue(workers),
                SlowFraction = parsed.GetValue(slowFraction),
                SlowFactor = parsed.GetValue(slowFactor),
                FailFraction = parsed.GetValue(failFraction),
                Retries = parsed.GetValue(retries),
                Balancers = parsed.GetValue(balancers),
                RefreshSeconds = parsed.GetValue(refresh) / 1000,
                Seed = parsed.GetValue(seed),
                Clients = parsed.GetValue(clients),
                HedgeSeconds = parsed.GetValue(hedge) / 1000,
            };
            return Run(settings, parsed.GetValue(algorithms) ?? [], parsed.GetValue(output), Console.Out, Console.Error);
        });
        return command;
    }

    internal static int Run(SimulationSettings settings, string[] asked, string? output, TextWriter stdout, TextWriter stderr)
    {
        if (Problem(settings) is { } problem)
        {
            stderr.WriteLine($"fulcrum simulate: {problem}");
            return ExitCodes.BadUsage;
        }

        var names = asked.SelectMany(a => a.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
        foreach (var name in names)
        {
            if (!BalancerRegistry.TryGet(name, out _))
            {
                stderr.WriteLine($"fulcrum simulate: unknown algorithm '{name}'; known: {string.Join(", ", BalancerNames.All)}");
                return ExitCodes.BadUsage;
            }
        }

        if (names.Count == 0) names = Defaults(settings, stdout);
        var results = new List<SimulationResult>();
        foreach (var name in names)
        {
            stderr.Write($"{name}... ");
            var result = Simulator.Run(settings, name);
            stderr.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.WallTime.TotalSeconds:0.0} s"));
            results.Add(result);
        }

        stdout.Write(SimulationReport.Table(settings, results));
        if (output is not null) stdout.WriteLine($"report: {SimulationReport.Write(Path.GetFullPath(output), settings, results)}");
        return ExitCodes.Success;
    }

    /// <summary>
    /// `fulcrum simulate --scenario NAME [--out DIR]`: prints the scenario's expectation, figures and verdict, and with
    /// <paramref name="output"/> writes DIR/index.html and DIR/summary.csv as the lab does. Exit 0 whatever the verdict
    /// (it is a finding, not a failure), 2 on an unknown name.
    /// </summary>
    public static int RunScenario(string name, int seed, string? output, TextWriter stdout, TextWriter stderr)
    {
        if (!SimulationScenarios.Names.Contains(name))
        {
            stderr.WriteLine($"fulcrum simulate: no scenario '{name}'; known: {string.Join(", ", SimulationScenarios.Names)}");
            return ExitCodes.BadUsage;
        }

        var started = TimeProvider.System.GetUtcNow();
        var timestamp = TimeProvider.System.GetTimestamp();
        var report = SimulationScenarios.Report(name, seed);
        stdout.Write(report.Text());
        if (output is not null) stdout.WriteLine($"report: {ScenarioPage.Write(Path.GetFullPath(output), report, started, TimeProvider.System.GetElapsedTime(timestamp))}");
        return ExitCodes.Success;
    }

    private static List<string> Defaults(SimulationSettings settings, TextWriter stdout)
    {
        var all = BalancerNames.All.Where(n => !BalancerRegistry.Get(n).UsesHash).ToList();
        if ((double)settings.Backends * settings.Requests <= ScanBudget) return all;
        stdout.WriteLine($"(left out at this scale, since each pick scans every backend: {string.Join(", ", all.Intersect(Scanning))}; name one with --algorithm to run it anyway)");
        return [.. all.Except(Scanning)];
    }

    private static string? Problem(SimulationSettings s) =>
        s.Backends < 1 ? "--backends must be at least 1"
        : s.Requests < 1 ? "--requests must be at least 1"
        : s.Load is <= 0 or >= 10 ? "--load must be above 0 (and below 10)"
        : s.MeanService <= 0 ? "--mean-ms must be above 0"
        : s.Workers < 1 ? "--workers must be at least 1"
        : s.SlowFraction is < 0 or > 1 || s.FailFraction is < 0 or > 1 ? "--slow-fraction and --fail-fraction are shares from 0 to 1"
        : s.SlowFactor < 1 ? "--slow-factor must be at least 1"
        : s.Retries < 0 ? "--retries must be 0 or more"
        : s.Balancers < 1 ? "--balancers must be at least 1"
        : s.RefreshSeconds < 0 ? "--refresh-ms must be 0 or more"
        : s.Clients < 0 ? "--clients must be 0 or more"
        : s.HedgeSeconds < 0 ? "--hedge-ms must be 0 or more"
        : s.HedgeSeconds > 0 && (s.Retries > 0 || s.FailFraction > 0) ? "--hedge-ms is not simulated together with --retries or --fail-fraction"
        : null;
}
