using System.Buffers;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Observability;

/// <summary>
/// One access log destination (stdout or a file). The request path only copies an entry into a bounded
/// lock-free queue (<see cref="AccessLogQueue"/>); one writer thread wakes every <see cref="BatchDelay"/>,
/// formats what gathered and writes it. When the writer falls behind (a stalled disk, a pipe nobody reads)
/// the queue fills and new lines are dropped and counted, so a slow disk never slows traffic, the trade
/// HAProxy makes with its UDP/ring logging.
/// </summary>
public sealed class AccessLog : IDisposable
{
    /// <summary>How long the writer lets lines gather before a batch: a line reaches the file within about this.</summary>
    private static readonly TimeSpan BatchDelay = TimeSpan.FromMilliseconds(50);
    private readonly AccessLogQueue _queue;
    private readonly ManualResetEventSlim _stopping = new();
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
        _queue = new AccessLogQueue(config.Buffer);
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
        // After Dispose nobody takes lines any more: count them as dropped rather than queue them for no one.
        if (_stopping.IsSet || !_queue.TryAdd(entry)) _counters.CountDropped();
    }

    private void WriteLoop()
    {
        Stream? stream = null;
        try
        {
            stream = Open(Config.Path);
            var buffer = new ArrayBufferWriter<byte>(64 * 1024);
            while (true)
            {
                // Lines gather between wake-ups: polling costs the request path nothing (no wake-up per line), and
                // a line reaches the file within about BatchDelay.
                var stopping = _stopping.Wait(BatchDelay);
                long lines = 0;
                while (_queue.TryTake(out var entry))
                {
                    _formatter.Append(entry, buffer);
                    lines++;
                    if (buffer.WrittenCount >= 48 * 1024) Flush(stream, buffer, ref lines);
                }

                Flush(stream, buffer, ref lines);
                if (stopping) return;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // The destination broke: keep draining the queue, counting every line as dropped, so traffic is unaffected.
            Console.Error.WriteLine($"fulcrum: access log '{Config.Path}' stopped: {e.Message}");
            while (!_stopping.Wait(BatchDelay))
            {
                while (_queue.TryTake(out _)) _counters.CountDropped();
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
        _stopping.Set();
        _writer.Join(TimeSpan.FromSeconds(2)); // a writer stuck on a stalled destination is abandoned (a background thread)
    }
}
