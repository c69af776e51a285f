using Fulcrum.L7.BackendHttp;
using Microsoft.AspNetCore.Http;

namespace Fulcrum.Fuzz.Targets;

/// <summary>
/// The backend leg's response-head parser as Http1Leg runs it: FindEnd over the bytes read, TryParse over the head it
/// found, and for a head it accepts, CopyTo (the header lines again, hop-by-hop and Connection-named ones dropped)
/// onto a response's header dictionary. A refusal is FindEnd's Invalid or TryParse returning false, which the leg
/// turns into a 502. FindEnd runs again on each longer read, so a prefix must get -1 (incomplete) or the whole
/// input's answer: never Invalid for the start of a head it would accept, nor another length.
/// </summary>
internal sealed class ResponseHeadTarget : IFuzzTarget
{
    public string Name => "response-head";

    public string Parser => "ResponseHead.FindEnd, TryParse and CopyTo";

    public void Run(ReadOnlySpan<byte> input)
    {
        var end = ResponseHead.FindEnd(input);
        if (end > input.Length || end < ResponseHead.Invalid) throw new FuzzInvariantException($"FindEnd said {end} for {input.Length} bytes");
        foreach (var cut in Prefixes.Cuts(input.Length))
        {
            var partial = ResponseHead.FindEnd(input[..cut]);
            if (partial != -1 && partial != end) throw new FuzzInvariantException($"{cut} bytes gave {partial}, all {input.Length} gave {end}");
        }

        if (end < 0) return;

        var head = input[..end];
        if (!ResponseHead.TryParse(head, out var parsed)) return;
        if (parsed.Status is < 100 or > 599 || parsed.ContentLength < -1 || parsed.HeadersStart > parsed.End || parsed.End != end)
        {
            throw new FuzzInvariantException($"status {parsed.Status}, length {parsed.ContentLength}, headers at {parsed.HeadersStart}, end {parsed.End} of {end}");
        }

        _ = parsed.HasNoBody(head: false);
        using var connection = new BackendConnection(Stream.Null, socket: null, 0);
        var headers = new HeaderDictionary();
        parsed.CopyTo(head, headers, connection);
        // The connection's value cache in the second pass: the path a keep-alive backend repeating its values takes.
        parsed.CopyTo(head, new HeaderDictionary(), connection);
    }
}
