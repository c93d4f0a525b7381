using System.Globalization;

namespace FiberProduct.IO;

/// <summary>
/// A read-only view of a .npz member's inflated bytes that refuses to deliver more than the member declared in the
/// archive's central directory, and computes their CRC-32 on the way. The declared size has been checked against
/// the limits before inflating began, so a member whose declaration lies is stopped at its declaration, not after
/// the memory is spent (System.IO.Compression itself stops a deflated member there silently; the CRC then tells).
/// </summary>
internal sealed class BoundedInflateStream(Stream inner, long declaredBytes, Func<string, Exception> fail) : Stream
{
    private Crc32 crc = new();

    /// <summary>The bytes delivered so far.</summary>
    public long Delivered { get; private set; }

    /// <summary>The CRC-32 of the bytes delivered so far.</summary>
    public uint Crc => crc.Value;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // Ask for one byte more than the declaration allows, so an overrun is seen rather than silently cut off.
        long allowed = declaredBytes - Delivered + 1;
        if (buffer.Length > allowed) buffer = buffer[..(int)allowed];
        int got = inner.Read(buffer);
        Delivered += got;
        crc.Append(buffer[..got]);
        if (Delivered > declaredBytes)
            throw fail(string.Create(CultureInfo.InvariantCulture,
                $"the member inflates to more than the {declaredBytes} bytes the archive declares for it."));
        return got;
    }

    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => Delivered; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing) inner.Dispose();
        base.Dispose(disposing);
    }
}
