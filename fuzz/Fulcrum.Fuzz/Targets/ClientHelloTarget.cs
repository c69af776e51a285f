using Fulcrum.L4.Tls;

namespace Fulcrum.Fuzz.Targets;

/// <summary>
/// The TLS ClientHello reader behind sni routes, records split or not. Like the PROXY reader it is called again as
/// more bytes arrive, so a prefix must get NeedMore or the same answer (status and server name) as the whole input.
/// </summary>
internal sealed class ClientHelloTarget : IFuzzTarget
{
    public string Name => "client-hello";

    public string Parser => "ClientHelloReader.TryRead";

    public void Run(ReadOnlySpan<byte> input)
    {
        var status = ClientHelloReader.TryRead(input, out var serverName);
        if (status != ClientHelloStatus.Done && serverName is not null) throw new FuzzInvariantException($"{status} with a server name");

        foreach (var cut in Prefixes.Cuts(input.Length))
        {
            var partial = ClientHelloReader.TryRead(input[..cut], out var partialName);
            if (partial == ClientHelloStatus.NeedMore) continue;
            if (partial != status || !string.Equals(partialName, serverName, StringComparison.Ordinal))
            {
                throw new FuzzInvariantException($"{cut} bytes gave {partial} '{partialName}', all {input.Length} gave {status} '{serverName}'");
            }
        }
    }
}
