using System.IO.Pipelines;

namespace Fulcrum.L7.Hosting;

/// <summary>A connection's transport with its input read through something of ours (<see cref="ContinuationGuard"/>).</summary>
internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input => input;

    public PipeWriter Output => output;
}
