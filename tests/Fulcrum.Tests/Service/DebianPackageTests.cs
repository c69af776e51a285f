using System.Diagnostics;
using System.Text.RegularExpressions;
using Fulcrum.Bench.Ha.Lab;
using Fulcrum.Tests.Ha;
using Fulcrum.Tests.Infrastructure;

namespace Fulcrum.Tests.Service;

/// <summary>
/// packaging/debian/build.sh's package, installed with `dpkg -i` into a scratch root (dpkg --root, maintainer scripts
/// run chrootless on it): the binary, the unit, the default config, the user fulcrum; then the unit's ExecStart, run as
/// its User= in a network namespace of its own (the default config's fixed ports stay off the test machine's), tells
/// the test's notify socket READY=1 and serves the default config.
/// </summary>
public sealed partial class DebianPackageTests
{
    [NetnsFact]
    public async Task Package_InstallsTheBinaryUnitConfigAndUser_AndTheUnitsCommandStartsAndServesTheDefaultConfig()
    {
        var work = Directory.CreateTempSubdirectory("fulcrum-deb-").FullName;
        try
        {
            // The service's user must reach the files: a temporary directory starts as 0700.
            if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(work, (UnixFileMode)0b111_101_101);
            var package = Run("bash", Path.Combine(RepositoryRoot, "packaging/debian/build.sh"), "--from", BuildOutput, "--out", Path.Combine(work, "out"), "--version", "0.0.0+test").Trim();
            var root = Path.Combine(work, "root");
            foreach (var directory in new[] { "var/lib/dpkg/info", "var/lib/dpkg/updates" }) Directory.CreateDirectory(Path.Combine(root, directory));
            File.WriteAllText(Path.Combine(root, "var/lib/dpkg/status"), "");
            File.WriteAllText(Path.Combine(root, "var/lib/dpkg/available"), "");

            // The scratch root holds no packages: the machine's libraries stand in for the declared dependencies.
            Run("dpkg", "--root", root, "--force-script-chrootless", "--force-depends", "-i", package);

            Assert.Contains("Status: install ok installed", Run("dpkg", "--root", root, "-s", "fulcrum"), StringComparison.Ordinal);
            Assert.Equal("/usr/lib/fulcrum/fulcrum", new FileInfo(Path.Combine(root, "usr/bin/fulcrum")).LinkTarget);
            Assert.True(File.Exists(Path.Combine(root, "usr/lib/fulcrum/fulcrum.dll")));
            Assert.Contains("/etc/fulcrum/fulcrum.yaml", File.ReadAllText(Path.Combine(root, "var/lib/dpkg/info/fulcrum.conffiles")), StringComparison.Ordinal);
            var user = PasswdLine().Match(File.ReadAllText(Path.Combine(root, "etc/passwd")));
            Assert.True(user.Success, "no fulcrum user in the root's /etc/passwd");
            Assert.True(File.Exists(Path.Combine(root, "etc/systemd/system/multi-user.target.wants/fulcrum.service")), "the unit is not enabled");
            var unit = File.ReadAllText(Path.Combine(root, "lib/systemd/system/fulcrum.service"));
            Assert.Contains("Type=notify", unit, StringComparison.Ordinal);
            Assert.Contains("User=fulcrum", unit, StringComparison.Ordinal);
            VerifyUnit(root);

            await StartAsInstalledAsync(root, unit, user.Groups[1].Value, user.Groups[2].Value, work);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>systemd-analyze verify on the installed unit, with the machine's own units copied in for the targets it names.</summary>
    private static void VerifyUnit(string root)
    {
        var units = Path.Combine(root, "lib/systemd/system");
        foreach (var file in Directory.EnumerateFiles("/lib/systemd/system", "*.target"))
        {
            var copy = Path.Combine(units, Path.GetFileName(file));
            if (!File.Exists(copy)) File.Copy(file, copy);
        }

        Run("systemd-analyze", "verify", $"--root={root}", "fulcrum.service");
    }

    /// <summary>ExecStart= as the unit says, as User=, with NOTIFY_SOCKET and the environment systemd would give.</summary>
    private static async Task StartAsInstalledAsync(string root, string unit, string uid, string gid, string work)
    {
        var command = ExecStart().Match(unit).Groups[1].Value.Split(' ');
        var program = Path.Combine(root, new FileInfo(Path.Combine(root, command[0].TrimStart('/'))).LinkTarget!.TrimStart('/'));
        var arguments = command.Skip(1).Select(a => a.StartsWith("/etc/", StringComparison.Ordinal) ? Path.Combine(root, a.TrimStart('/')) : a);
        using var systemd = new NotifySocket(Path.Combine(work, "notify.sock"));
        using var network = NetworkLab.Create(("svc", 10));
        var info = new ProcessStartInfo("ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", network["svc"].Namespace, "setpriv", $"--reuid={uid}", $"--regid={gid}", "--clear-groups", program }.Concat(arguments))
            info.ArgumentList.Add(argument);
        info.Environment.Clear();
        info.Environment["PATH"] = "/usr/bin:/bin";
        info.Environment["HOME"] = "/nonexistent";
        info.Environment["USER"] = "fulcrum";
        info.Environment["NOTIFY_SOCKET"] = systemd.Path;
        info.Environment["WATCHDOG_USEC"] = "10000000";
        using var service = Process.Start(info)!;
        var output = new List<string>();
        service.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        service.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.Add(e.Data); };
        service.BeginOutputReadLine();
        service.BeginErrorReadLine();
        string Log() { lock (output) return string.Join('\n', output); }
        try
        {
            await systemd.WaitForAsync("READY=1", Log);
            Assert.Contains($"Uid:\t{uid}\t{uid}", File.ReadAllText($"/proc/{service.Id}/status"), StringComparison.Ordinal);
            using var sockets = new NetnsSockets(network["svc"].Namespace);
            Assert.StartsWith("Fulcrum is running.", await sockets.GetStringAsync(new Uri("http://127.0.0.1:8080/"), Poll.Deadline) ?? "", StringComparison.Ordinal);
            Assert.Contains("\"status\":\"ok\"", await sockets.GetStringAsync(new Uri("http://127.0.0.1:9900/healthz"), Poll.Deadline) ?? "", StringComparison.Ordinal);

            Posix.Kill(service.Id, Posix.SIGTERM);
            await systemd.WaitForAsync("STOPPING=1", Log);
            Assert.True(service.WaitForExit(30_000) && service.ExitCode == 0, Log());
        }
        finally
        {
            if (!service.HasExited) service.Kill(entireProcessTree: true);
        }
    }

    private static string RepositoryRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Fulcrum.slnx"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("no Fulcrum.slnx above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>src/Fulcrum's own build output (bin/CONFIGURATION/TFM), the configuration this test was built in.</summary>
    private static string BuildOutput
    {
        get
        {
            var parts = AppContext.BaseDirectory.TrimEnd('/').Split('/');
            var bin = Array.LastIndexOf(parts, "bin");
            return Path.Combine(RepositoryRoot, "src/Fulcrum/bin", parts[bin + 1], parts[bin + 2]);
        }
    }

    private static string Run(string program, params string[] arguments)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) info.ArgumentList.Add(argument);
        using var process = Process.Start(info)!;
        var errors = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(120_000), $"{program} did not end");
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{output}{errors.Result}");
        return output;
    }

    [GeneratedRegex(@"(?m)^ExecStart=(.+)$")]
    private static partial Regex ExecStart();

    [GeneratedRegex(@"(?m)^fulcrum:x:(\d+):(\d+):")]
    private static partial Regex PasswdLine();
}
