using Fulcrum.Core.Configuration;
using Fulcrum.Core.IO.Uring;
using Fulcrum.L7.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L7.Uring;

/// <summary>
/// Chooses how the own HTTP/1.1 front end's connections (and so their backend connections) do I/O, once, when the
/// first listener with `front-end: fulcrum` starts: the same `io-engine:` key and FULCRUM_IO_ENGINE as the tcp relay,
/// io_uring only where the kernel allows it, the choice logged with its reason. Null means epoll (.NET's sockets).
/// </summary>
internal static class ConnectionEngine
{
    /// <param name="refusal">Stands in for the kernel in tests: a non-null answer is a kernel that refuses io_uring.</param>
    public static UringLoops? Select(IoEngineChoice configured, string? variable, ILogger logger, Func<string?>? refusal = null)
    {
        var choice = configured;
        var source = "io-engine";
        if (!string.IsNullOrEmpty(variable))
        {
            if (IoEngineVariable.Parse(variable) is { } fromEnvironment)
            {
                choice = fromEnvironment;
                source = IoEngineVariable.Name;
            }
            else
            {
                Log.IoEngineVariableIgnored(logger, IoEngineVariable.Name, variable);
            }
        }

        if (choice == IoEngineChoice.Epoll)
        {
            Log.IoEngineChosen(logger, "epoll", $"{source}: epoll");
            return null;
        }

        var failure = refusal?.Invoke();
        var loops = failure is null ? UringLoops.Shared(out failure) : null;
        if (loops is not null)
        {
            Log.IoEngineChosen(logger, "io_uring", $"{source}: {(choice == IoEngineChoice.Auto ? "auto" : "io_uring")}, {loops.Count} rings");
            return loops;
        }

        if (choice == IoEngineChoice.IoUring) Log.IoEngineFallback(logger, source, failure!);
        else Log.IoEngineChosen(logger, "epoll", $"{source}: auto; io_uring unavailable: {failure}");
        return null;
    }
}
