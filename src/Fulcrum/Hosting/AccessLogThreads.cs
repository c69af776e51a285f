using Fulcrum.Core.Observability;

namespace Fulcrum.Hosting;

/// <summary>The host's access log writers: each log gets an <see cref="AccessLogThread"/> of its own.</summary>
internal sealed class AccessLogThreads : IAccessLogWriters
{
    public IDisposable Start(AccessLog log) => new AccessLogThread(log);
}
