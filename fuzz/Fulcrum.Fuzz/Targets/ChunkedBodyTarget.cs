using Fulcrum.L7.BackendHttp;

namespace Fulcrum.Fuzz.Targets;

/// <summary>
/// The backend leg's chunked-body decoder (ResponseBody.CopyChunkedAsync), driven without sockets: its
/// BackendConnection wraps any Stream, here one over the input. The first input byte sets how many bytes each read
/// returns (1 to 255; 0 for as many as fit), so chunk lines and CRLFs straddle reads as they do on a real
/// connection. Refusals are the exceptions Http1Leg turns into a cut response: InvalidDataException (bad framing)
/// and IOException (the backend closed early).
/// </summary>
internal sealed class ChunkedBodyTarget : IFuzzTarget
{
    public string Name => "chunked-body";

    public string Parser => "ResponseBody.CopyChunkedAsync";

    public void Run(ReadOnlySpan<byte> input)
    {
        if (input.IsEmpty) return;
        var maxRead = input[0] == 0 ? int.MaxValue : input[0];
        using var connection = new BackendConnection(new TrickleStream(input.ToArray(), 1, maxRead), socket: null, 0);
        connection.RentBuffer();
        var client = new MemoryStream();
        try
        {
            ResponseBody.CopyChunkedAsync(connection, client).AsTask().GetAwaiter().GetResult();
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            return;
        }

        if (connection.Received != client.Length) throw new FuzzInvariantException($"counted {connection.Received} bytes, passed on {client.Length}");
    }
}
