using System.Buffers.Binary;
using System.IO.Compression;

namespace FiberProduct.Tests.IO;

/// <summary>.npy and .npz files built byte by byte, as NumPy lays them out, for the reader's tests.</summary>
internal static class NpyTestFiles
{
    /// <summary>A .npy file with any header text (padded to 64 bytes as NumPy pads it) and body.</summary>
    public static byte[] Npy(string header, ReadOnlySpan<byte> body, int version = 1)
    {
        var stream = new MemoryStream();
        stream.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', (byte)version, 0]);
        int prefix = version == 1 ? 10 : 12;
        string padded = header.PadRight((prefix + header.Length + 1 + 63) / 64 * 64 - prefix - 1) + "\n";
        var encoded = (version == 3 ? System.Text.Encoding.UTF8 : System.Text.Encoding.Latin1).GetBytes(padded);
        var lengthBytes = new byte[4];
        if (version == 1)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(lengthBytes, (ushort)encoded.Length);
            stream.Write(lengthBytes, 0, 2);
        }
        else { BinaryPrimitives.WriteUInt32LittleEndian(lengthBytes, (uint)encoded.Length); stream.Write(lengthBytes); }
        stream.Write(encoded);
        stream.Write(body);
        return stream.ToArray();
    }

    /// <summary>A zip of the given members (name, bytes) at one compression level.</summary>
    public static byte[] Zip(CompressionLevel level, params (string Name, byte[] Bytes)[] members)
    {
        var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in members)
            {
                using var entry = zip.CreateEntry(name, level).Open();
                entry.Write(bytes);
            }
        }
        return stream.ToArray();
    }

    /// <summary>Overwrites the uncompressed size every local and central header of a one-member zip declares.</summary>
    public static void DeclareUncompressedSize(byte[] zip, uint size)
    {
        for (int i = 0; i + 4 <= zip.Length; i++)
        {
            if (zip[i] != 'P' || zip[i + 1] != 'K') continue;
            if (zip[i + 2] == 3 && zip[i + 3] == 4) BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 22), size);
            if (zip[i + 2] == 1 && zip[i + 3] == 2) BinaryPrimitives.WriteUInt32LittleEndian(zip.AsSpan(i + 24), size);
        }
    }
}

/// <summary>A stream that reads forward only, as a pipe or a deflated entry does.</summary>
internal sealed class ForwardOnlyStream(byte[] bytes) : Stream
{
    private readonly MemoryStream inner = new(bytes);
    public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
