using System.Buffers;
using Fulcrum.L7.Exchange;

namespace Fulcrum.L7.StaticFiles;

/// <summary>A file's bytes (all, or one range of them) as an answer's body, read and written 64 KiB at a time.</summary>
internal sealed class StaticFileContent(string path, long start, long length) : IAnswerContent
{
    private const int ChunkSize = 64 * 1024;

    public async ValueTask WriteToAsync(Stream body, CancellationToken aborted)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        try
        {
            await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete,
                bufferSize: 0, FileOptions.Asynchronous | FileOptions.SequentialScan);
            file.Position = start;
            var remaining = length;
            while (remaining > 0)
            {
                var read = await file.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), aborted);
                // The file shrank after its length was sent: the promised length cannot be kept, so the answer is cut.
                if (read == 0) throw new IOException($"{path} ended {remaining} bytes early");
                await body.WriteAsync(buffer.AsMemory(0, read), aborted);
                remaining -= read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
