namespace FiberProduct.Imaging.Formats;

/// <summary>
/// The file as StbImageSharp reads it, with the C library's end-of-buffer rules, which the port lost. StbImageSharp
/// skips with <see cref="Stream.Seek"/> and tests for the end with Position == Length; on a MemoryStream a skip past
/// the end leaves Position beyond Length, so the test never succeeds and loops such as the JPEG marker search spin
/// forever on zeros (issue 14: the 6-byte file FF D8 FF E0 00 10 skips 14 bytes from byte 6). stb_image.h itself moves
/// to the end on such a skip, and on a negative one (a PNG chunk length of 2^31 read as an int, which made MemoryStream
/// throw IOException); this stream does the same. As a backstop against any other loop that keeps reading at the end, a
/// read beyond the end more than <see cref="EndReadBudget"/> times throws: the file is truncated.
/// </summary>
internal sealed class DecoderInput(byte[] file) : Stream
{
    /// <summary>How many reads at the end are tolerated: format probes read a few bytes of short files.</summary>
    public const int EndReadBudget = 64;

    private long position;

    /// <summary>How many reads found no byte left.</summary>
    public int EndReads { get; private set; }

    public override bool CanRead => true;
    public override bool CanSeek => true;
    public override bool CanWrite => false;
    public override long Length => file.Length;

    public override long Position
    {
        get => position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int ReadByte()
    {
        if (position < file.Length) return file[position++];
        CountEndRead();
        return -1;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        int n = (int)Math.Min(buffer.Length, file.Length - position);
        if (n < buffer.Length) CountEndRead();
        file.AsSpan((int)position, n).CopyTo(buffer);
        position += n;
        return n;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        long start = origin switch { SeekOrigin.Begin => 0, SeekOrigin.Current => position, _ => file.Length };
        // stb_image.h's stbi__skip: a negative skip or one past the end leaves the reader at the end.
        position = offset < 0 || offset > file.Length - start ? file.Length : start + offset;
        return position;
    }

    public override void Flush() { }
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private void CountEndRead()
    {
        if (++EndReads > EndReadBudget) throw new EndOfImageException();
    }
}

/// <summary>The decoder kept reading past the end of the file (caught and reported as a truncated file).</summary>
internal sealed class EndOfImageException : Exception
{
    public EndOfImageException() : base("The decoder kept reading past the end of the file.") { }
}
