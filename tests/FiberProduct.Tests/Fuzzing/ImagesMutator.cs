using System.Buffers.Binary;

namespace FiberProduct.Tests.Fuzzing;

/// <summary>
/// Seeded byte-level mutation of image files: bit flips, interesting values (0, 0xFF, 2^31 …) over bytes and
/// 16/32-bit fields in both byte orders, insertions, deletions, duplicated ranges, truncation and splices with another
/// seed. PNG inputs get their chunk CRCs recomputed half the time, so mutations reach the decoder behind the CRC check.
/// </summary>
internal static class ImagesMutator
{
    private static readonly uint[] Interesting = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000,
        0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x2000, 0x4000];

    public static byte[] Mutate(byte[] seed, IReadOnlyList<byte[]> others, Random random)
    {
        var data = new List<byte>(seed);
        int operations = 1 + random.Next(random.Next(2) == 0 ? 2 : 8);
        for (int k = 0; k < operations; k++) Apply(data, others, random);
        var result = data.ToArray();
        if (IsPng(result) && random.Next(2) == 0) FixPngCrcs(result);
        return result;
    }

    private static void Apply(List<byte> data, IReadOnlyList<byte[]> others, Random random)
    {
        if (data.Count == 0) { data.Add((byte)random.Next(256)); return; }
        int at = random.Next(data.Count);
        switch (random.Next(9))
        {
            case 0: data[at] ^= (byte)(1 << random.Next(8)); break;
            case 1: data[at] = (byte)Interesting[random.Next(Interesting.Length)]; break;
            case 2: data[at] = (byte)random.Next(256); break;
            case 3: // a 16- or 32-bit field, big- or little-endian, set to an interesting value
            {
                int width = random.Next(2) == 0 ? 2 : 4;
                if (at + width > data.Count) break;
                Span<byte> field = stackalloc byte[4];
                uint value = Interesting[random.Next(Interesting.Length)];
                if (random.Next(2) == 0) BinaryPrimitives.WriteUInt32BigEndian(field, width == 2 ? value << 16 : value);
                else BinaryPrimitives.WriteUInt32LittleEndian(field, value);
                for (int i = 0; i < width; i++) data[at + i] = field[i];
                break;
            }
            case 4: data.InsertRange(at, RandomBytes(random, 1 + random.Next(16))); break;
            case 5: data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(64))); break;
            case 6: // duplicate a range
            {
                int length = Math.Min(data.Count - at, 1 + random.Next(256));
                data.InsertRange(random.Next(data.Count), data.GetRange(at, length));
                break;
            }
            case 7: data.RemoveRange(at, data.Count - at); break; // truncate
            default: // splice: the tail of another seed
            {
                var other = others[random.Next(others.Count)];
                int from = random.Next(other.Length);
                data.RemoveRange(at, data.Count - at);
                data.AddRange(other.AsSpan(from, Math.Min(other.Length - from, 4096)).ToArray());
                break;
            }
        }
    }

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    private static bool IsPng(byte[] file) => file.AsSpan()
        .StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);

    /// <summary>Recomputes the CRC of every chunk that lies inside the file.</summary>
    public static void FixPngCrcs(byte[] file)
    {
        for (long position = 8; position + 12 <= file.Length;)
        {
            long length = BinaryPrimitives.ReadUInt32BigEndian(file.AsSpan((int)position));
            if (length > file.Length - position - 12) return;
            uint crc = Crc32(file.AsSpan((int)position + 4, 4 + (int)length));
            BinaryPrimitives.WriteUInt32BigEndian(file.AsSpan((int)(position + 8 + length)), crc);
            position += 12 + length;
        }
    }

    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
