using Fulcrum.Core.Configuration;
using Fulcrum.Core.IO.Uring;
using Fulcrum.L4.Uring;
using Microsoft.Extensions.Logging;

namespace Fulcrum.L4.Pump;

/// <summary>
/// Chooses the relay engine when the tcp data plane starts: FULCRUM_IO_ENGINE (epoll | io_uring | auto) over the
/// config's `io-engine:`, io_uring only where the kernel's answer allows it, and the choice logged with its reason.
/// </summary>
internal static class PumpEngines
{
    public const string Variable = IoEngineVariable.Name;

    /// <summary>
    /// <paramref name="refusal"/> stands in for the kernel in tests: a non-null answer is a kernel that refuses io_uring.
    /// </summary>
    public static IPumpEngine Select(IoEngineChoice configured, string? variable, ILogger logger, Func<string?>? refusal = null)
    {
        var choice = configured;
        var source = "io-engine";
        if (!string.IsNullOrEmpty(variable))
        {
            if (IoEngineVariable.Parse(variable) is { } fromEnvironment)
            {
                choice = fromEnvironment;
                source = Variable;
            }
            else
            {
                L4Log.IoEngineVariableIgnored(logger, Variable, variable);
            }
        }

        if (choice == IoEngineChoice.Epoll)
        {
            L4Log.IoEngineChosen(logger, IoEngineNames.Epoll, $"{source}: epoll");
            return EpollPumpEngine.Instance;
        }

        var failure = refusal?.Invoke();
        var engine = failure is null ? UringEngine.Shared(out failure) : null;
        if (engine is not null)
        {
            L4Log.IoEngineChosen(logger, engine.Name, $"{source}: {(choice == IoEngineChoice.Auto ? "auto" : "io_uring")}, {Environment.ProcessorCount} rings");
            return engine;
        }

        if (choice == IoEngineChoice.IoUring) L4Log.IoEngineFallback(logger, source, failure!);
        else L4Log.IoEngineChosen(logger, IoEngineNames.Epoll, $"{source}: auto; io_uring unavailable: {failure}");
        return EpollPumpEngine.Instance;
    }
}
