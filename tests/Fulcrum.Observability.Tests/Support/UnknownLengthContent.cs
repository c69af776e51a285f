using System.Net;

namespace Fulcrum.Observability.Tests.Support;

/// <summary>A request body that does not say its length, so HttpClient sends it chunked.</summary>
public sealed class UnknownLengthContent(byte[] body) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(body).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
