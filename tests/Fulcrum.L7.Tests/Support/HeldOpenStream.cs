namespace Fulcrum.L7.Tests.Support;

/// <summary>A read-only stream that gives its bytes and then waits, as a backend holding its connection open would.</summary>
public sealed class HeldOpenStream(byte[] bytes) : Stream
{
    private int _position;

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _position; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_position == bytes.Length) await Task.Delay(Timeout.Infinite, cancellationToken);
        var take = Math.Min(buffer.Length, bytes.Length - _position);
        bytes.AsMemory(_position, take).CopyTo(buffer);
        _position += take;
        return take;
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
