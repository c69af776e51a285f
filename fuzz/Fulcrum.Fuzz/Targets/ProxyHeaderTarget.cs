using Fulcrum.Core.Proxy;

namespace Fulcrum.Fuzz.Targets;

/// <summary>
/// The PROXY protocol reader, v1 and v2 (one entry point tells them apart by their signatures). A connection's first
/// bytes arrive in pieces and ConnectionInspection calls it again on each longer prefix, so besides not throwing it
/// must answer a prefix with NeedMore or the very answer the whole input gets: never Invalid for bytes that would
/// have become a valid header, nor a different header.
/// </summary>
internal sealed class ProxyHeaderTarget : IFuzzTarget
{
    public string Name => "proxy-header";

    public string Parser => "ProxyHeaderReader.TryParse (v1 and v2)";

    public void Run(ReadOnlySpan<byte> input)
    {
        var status = ProxyHeaderReader.TryParse(input, out var header);
        if (status == ProxyParseStatus.Done && (header.Length <= 0 || header.Length > input.Length))
        {
            throw new FuzzInvariantException($"a header of {header.Length} bytes in {input.Length}");
        }

        foreach (var cut in Prefixes.Cuts(input.Length))
        {
            var partial = ProxyHeaderReader.TryParse(input[..cut], out var partialHeader);
            if (partial == ProxyParseStatus.NeedMore) continue;
            if (partial != status || (status == ProxyParseStatus.Done && partialHeader != header))
            {
                throw new FuzzInvariantException($"{cut} bytes gave {partial} {partialHeader}, all {input.Length} gave {status} {header}");
            }
        }
    }
}
