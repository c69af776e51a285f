namespace Fulcrum.Admin.Tests;

[CollectionDefinition(nameof(AdminServerWatchTests), DisableParallelization = true)]
public sealed class AdminServerWatchCollection;

/// <summary>
/// The admin server watches no files: a host builder's appsettings.json reload would watch the working
/// directory and all below it (the whole filesystem for a service started in /), waking on every access
/// log line written there. Alone in its collection, so no other test's watchers come and go meanwhile.
/// </summary>
[Collection(nameof(AdminServerWatchTests))]
public sealed class AdminServerWatchTests
{
    [Fact]
    public async Task StartingTheAdminServer_AddsNoInotifyWatch()
    {
        var before = InotifyWatches();

        await using var admin = await AdminTestServer.StartAsync();
        using var response = await admin.Client.GetAsync(new Uri("/healthz", UriKind.Relative));
        response.EnsureSuccessStatusCode();

        Assert.Equal(before, InotifyWatches());
    }

    /// <summary>Every inotify watch this process holds: one "inotify wd:" line per watch in the fdinfo of each inotify descriptor.</summary>
    private static int InotifyWatches()
    {
        var watches = 0;
        foreach (var fd in Directory.GetFiles("/proc/self/fd"))
        {
            var target = new FileInfo(fd).LinkTarget;
            if (target != "anon_inode:inotify") continue;
            try
            {
                watches += File.ReadLines($"/proc/self/fdinfo/{Path.GetFileName(fd)}").Count(l => l.StartsWith("inotify wd:", StringComparison.Ordinal));
            }
            catch (IOException)
            {
                // closed between the listing and the read: it holds no watches now
            }
        }

        return watches;
    }
}
