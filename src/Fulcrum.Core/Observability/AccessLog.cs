using System.Buffers;
using System.Threading.Channels;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Observability;

/// <summary>
/// One access log destination (stdout or a file). The request path only copies an entry into a bounded
/// channel; one writer thread formats and writes. When the writer falls behind (a stalled disk, a pipe
/// nobody reads) the channel fills and new lines are dropped and counted, so a slow disk never slows
/// traffic, the trade HAProxy makes with its UDP/ring logging.
/// </summary>
public sealed class AccessLog : IDisposable
{
    /// <summary>How long the writer lets lines gather before a batch: a line reaches the file within about this.</summary>
    private static readonly TimeSpan BatchDelay = TimeSpan.FromMilliseconds(50);
    private readonly Channel<AccessLogEntry> _channel;
    private readonly AccessLogCounters _counters;
    private readonly AccessLogFormatter _formatter;
    private readonly double _sample;
    private readonly Thread _writer;

    public AccessLog(AccessLogConfig config, AccessLogCounters counters)
    {
        Config = config;
        _counters = counters;
        _sample = config.Sample;
        _formatter = new AccessLogFormatter(config.Format);
        _channel = Channel.CreateBounded<AccessLogEntry>(new BoundedChannelOptions(config.Buffer)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait, // TryWrite then answers false: that is a drop we count
        });
        // A thread of its own: opening a FIFO blocks until a reader comes, and a stalled write blocks too;
        // neither may hold a thread-pool thread.
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "fulcrum-access-log" };
        _writer.Start();
    }

    public AccessLogConfig Config { get; }

    /// <summary>True when this request or connection is in the sample (always at sample 1).</summary>
    public bool Sampled() => _sample >= 1 || (_sample > 0 && Random.Shared.NextDouble() < _sample);

    /// <summary>Queues a line; never blocks. A full queue drops the line and counts it.</summary>
    public void Write(in AccessLogEntry entry)
    {
        if (!_channel.Writer.TryWrite(entry)) _counters.CountDropped();
    }

    private void WriteLoop()
    {
        Stream? stream = null;
        try
        {
            stream = Open(Config.Path);
            var buffer = new ArrayBufferWriter<byte>(64 * 1024);
            var reader = _channel.Reader;
            while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                // Let lines gather before writing: waking this thread for every line (a futex wake per request)
                // would cost the request path more than the formatting does. Lines wait at most BatchDelay.
                if (!_channel.Reader.Completion.IsCompleted) Thread.Sleep(BatchDelay);
                long lines = 0;
                while (reader.TryRead(out var entry))
                {
                    _formatter.Append(entry, buffer);
                    lines++;
                    if (buffer.WrittenCount >= 48 * 1024) Flush(stream, buffer, ref lines);
                }

                Flush(stream, buffer, ref lines);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // The destination broke: keep draining the queue, counting every line as dropped, so traffic is unaffected.
            Console.Error.WriteLine($"fulcrum: access log '{Config.Path}' stopped: {e.Message}");
            while (_channel.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            {
                while (_channel.Reader.TryRead(out _)) _counters.CountDropped();
            }
        }
        finally
        {
            stream?.Dispose();
        }
    }

    private void Flush(Stream stream, ArrayBufferWriter<byte> buffer, ref long lines)
    {
        if (buffer.WrittenCount == 0) return;
        stream.Write(buffer.WrittenSpan);
        stream.Flush();
        buffer.Clear();
        _counters.CountWritten(lines);
        lines = 0;
    }

    private static Stream Open(string path)
    {
        if (string.Equals(path, "stdout", StringComparison.Ordinal)) return Console.OpenStandardOutput();
        if (Path.GetDirectoryName(Path.GetFullPath(path)) is { } dir) Directory.CreateDirectory(dir);
        // Opening a FIFO blocks here (on this thread) until a reader comes; append mode works for it too.
        try
        {
            return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        }
        catch (NotSupportedException)
        {
            return new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
        }
    }

    public void Dispose()
    {
        _channel.Writer.TryComplete();
        _writer.Join(TimeSpan.FromSeconds(2)); // a writer stuck on a stalled destination is abandoned (a background thread)
    }
}
