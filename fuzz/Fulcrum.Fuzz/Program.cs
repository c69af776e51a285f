using System.Globalization;
using Fulcrum.Fuzz;
using SharpFuzz;

// Fulcrum.Fuzz NAME                          under afl-fuzz (fuzz/run.sh): SharpFuzz's fork server, input on stdin
// Fulcrum.Fuzz NAME --replay PATH...         each file (or every file in each folder) once: triage of AFL's crashes
// Fulcrum.Fuzz NAME --mutate N [--seed S]    the seed corpus and N random mutations in-process, without AFL++
// Fulcrum.Fuzz --list                        the targets
if (args is ["--list"])
{
    foreach (var each in FuzzTargets.All) Console.WriteLine($"{each.Name,-14} {each.Parser}");
    return 0;
}

if (args.Length == 0 || FuzzTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine("usage: Fulcrum.Fuzz TARGET [--replay PATH... | --mutate N [--seed S] [--fuzz-root DIR]]; targets: "
        + string.Join(", ", FuzzTargets.All.Select(t => t.Name)));
    return 2;
}

if (args.Length == 1)
{
    // Out of process: SharpFuzz runs the target in a child it restarts after a stack overflow or a hang, which
    // in-process mode could not survive; both are crashes we want reported, not a dead fuzzer.
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        target.Run(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    });
    return 0;
}

if (args[1] == "--replay")
{
    var crashes = 0;
    foreach (var (path, data) in FuzzInputs.Read(args.Skip(2)))
    {
        var executions = 0;
        var crash = MutationRun.TryRun(target, data, ref executions);
        Console.WriteLine(crash is null ? $"ok     {path}" : $"CRASH  {path}\n       {crash.GetType().Name}: {crash.Message}\n{crash.StackTrace}");
        if (crash is not null) crashes++;
    }

    return crashes == 0 ? 0 : 1;
}

if (args[1] == "--mutate" && args.Length >= 3)
{
    var mutations = int.Parse(args[2], CultureInfo.InvariantCulture);
    var seed = Option("--seed") is { } s ? int.Parse(s, CultureInfo.InvariantCulture) : 1;
    var root = Option("--fuzz-root") ?? FuzzInputs.FindRoot(AppContext.BaseDirectory);
    var corpus = FuzzInputs.Read([FuzzInputs.CorpusDirectory(root, target.Name)]).Select(f => f.Data).ToList();
    var dictionary = AflDictionary.Load(FuzzInputs.DictionaryFile(root, target.Name));
    var report = MutationRun.Run(target, corpus, dictionary, mutations, seed);
    Console.WriteLine($"{target.Name}: {report.Executions} executions, {(report.Clean ? "no crash" : "CRASH")}");
    if (report.Clean) return 0;
    Console.WriteLine($"input (base64): {Convert.ToBase64String(report.CrashInput!)}\n{report.Crash}");
    return 1;
}

Console.Error.WriteLine($"unknown arguments: {string.Join(' ', args.Skip(1))}");
return 2;

string? Option(string name)
{
    var at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? args[at + 1] : null;
}
