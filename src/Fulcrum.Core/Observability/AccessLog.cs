using System.Buffers;
using System.Runtime.CompilerServices;
using Fulcrum.Core.Configuration;

namespace Fulcrum.Core.Observability;

/// <summary>
/// One access log destination (stdout or a file). The request path only copies an entry into a bounded
/// lock-free queue (<see cref="AccessLogQueue"/>); a writer off the request path calls <see cref="WriteQueued"/>
/// every <see cref="BatchDelay"/> to format what gathered and write it. Core starts no threads: the host's
/// <see cref="IAccessLogWriters"/> gives each log a thread of its own, and a test can be the writer itself.
/// When the writer falls behind (a stalled disk, a pipe nobody reads) the queue fills and new lines are dropped
/// and counted, so a slow disk never slows traffic, the trade HAProxy makes with its UDP/ring logging.
/// </summary>
public sealed class AccessLog : IDisposable
{
    /// <summary>How long a writer lets lines gather before a batch: a line reaches the file within about this.</summary>
    public static readonly TimeSpan BatchDelay = TimeSpan.FromMilliseconds(50);
    private const int FlushAt = 48 * 1024;
    private readonly AccessLogQueue _queue;
    private readonly AccessLogCounters _counters;
    private readonly AccessLogFormatter _formatter;
    private readonly double _sample;
    private readonly Random _random;
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private Stream? _stream;
    private bool _broken;
    private volatile bool _closed;

    /// <param name="random">Decides which requests a `sample` below 1 keeps; shared by request threads, so thread-safe.</param>
    public AccessLog(AccessLogConfig config, AccessLogCounters counters, Random random)
    {
        Config = config;
        _counters = counters;
        _sample = config.Sample;
        _random = random;
        _formatter = new AccessLogFormatter(config.Format);
        _queue = new AccessLogQueue(config.Buffer);
    }

    public AccessLogConfig Config { get; }

    /// <summary>True when this request or connection is in the sample (always at sample 1).</summary>
    public bool Sampled() => _sample >= 1 || (_sample > 0 && _random.NextDouble() < _sample);

    /// <summary>Queues a line; never blocks. A full queue drops the line and counts it.</summary>
    public void Write(in AccessLogEntry entry)
    {
        // After Dispose nobody takes lines any more: count them as dropped rather than queue them for no one.
        if (_closed || !_queue.TryAdd(entry)) _counters.CountDropped();
    }

    /// <summary>
    /// The writer's one call, never the request path's: formats and writes the lines queued so far, on the
    /// caller's thread, one caller at a time. The first call opens the destination, which blocks on a FIFO until
    /// a reader comes, as a write blocks on a stalled disk: call it from a thread that may block. Once the log is
    /// disposed, a call writes what is left, closes the destination and returns false: the writer is done.
    /// </summary>
    public bool WriteQueued()
    {
        var last = _closed; // read before taking lines, so none queued before Dispose is left behind
        try
        {
            if (!_broken) WriteBatch();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            // The destination broke: from now on lines are taken and counted as dropped, so traffic is unaffected.
            Console.Error.WriteLine($"fulcrum: access log '{Config.Path}' stopped: {e.Message}");
            _broken = true;
            _buffer.Clear();
        }

        if (_broken)
        {
            while (_queue.TryTake(out _)) _counters.CountDropped();
        }

        if (!last) return true;
        _stream?.Dispose();
        _stream = null;
        return false;
    }

    /// <summary>Stops taking lines; the writer's next <see cref="WriteQueued"/> writes what is left and closes the destination.</summary>
    public void Dispose() => _closed = true;

    // Called once a batch, so tiering would take seconds to optimise the loop below (it ran instrumented
    // through most of a short benchmark); optimised at once instead, as the loop of a long-running writer was.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteBatch()
    {
        // Opened by the first call even with nothing queued, so a destination that cannot be opened says so at start.
        var stream = _stream ??= Open(Config.Path);
        var buffer = _buffer;
        long lines = 0;
        while (_queue.TryTake(out var entry))
        {
            _formatter.Append(entry, buffer);
            lines++;
            if (buffer.WrittenCount >= FlushAt) Flush(stream, buffer, ref lines);
        }

        Flush(stream, buffer, ref lines);
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
        // Opening a FIFO blocks here (on the writer's thread) until a reader comes; append mode works for it too.
        try
        {
            return new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, 1, FileOptions.None);
        }
        catch (NotSupportedException)
        {
            return new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, FileOptions.None);
        }
    }
}
