using System.Buffers.Binary;

namespace FiberProduct.IO;

/// <summary>
/// The CRC-32 a zip archive records for each member (ISO 3309 / ITU-T V.42: polynomial 0x04C11DB7, bits reflected,
/// initial and final value 0xFFFFFFFF), computed eight bytes at a time from eight tables ("slicing by 8").
/// System.IO.Compression does not check it, so a corrupt or truncated member would otherwise be read silently;
/// Python's zipfile, which NumPy reads .npz files with, checks it.
/// </summary>
internal struct Crc32
{
    private static readonly uint[][] Tables = BuildTables();
    private uint state;

    public Crc32() => state = 0xFFFFFFFF;

    public readonly uint Value => ~state;

    public void Append(ReadOnlySpan<byte> data)
    {
        uint crc = state;
        var t = Tables;
        while (data.Length >= 8)
        {
            uint low = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            uint high = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t[7][low & 0xFF] ^ t[6][(low >> 8) & 0xFF] ^ t[5][(low >> 16) & 0xFF] ^ t[4][low >> 24]
                ^ t[3][high & 0xFF] ^ t[2][(high >> 8) & 0xFF] ^ t[1][(high >> 16) & 0xFF] ^ t[0][high >> 24];
            data = data[8..];
        }
        foreach (byte b in data) crc = t[0][(crc ^ b) & 0xFF] ^ (crc >> 8);
        state = crc;
    }

    /// <summary>Table k maps a byte to its CRC contribution when k zero bytes follow it.</summary>
    private static uint[][] BuildTables()
    {
        var tables = new uint[8][];
        for (int k = 0; k < 8; k++) tables[k] = new uint[256];
        for (uint b = 0; b < 256; b++)
        {
            uint crc = b;
            for (int bit = 0; bit < 8; bit++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
            tables[0][b] = crc;
        }
        for (int k = 1; k < 8; k++)
            for (int b = 0; b < 256; b++)
                tables[k][b] = (tables[k - 1][b] >> 8) ^ tables[0][tables[k - 1][b] & 0xFF];
        return tables;
    }
}
