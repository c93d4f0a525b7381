using FiberProduct.IO;

namespace FiberProduct.Tests.IO;

/// <summary>
/// Arrays of more than 2^31 bytes. Reading one needs its memory (2.4 GB here), so the test runs only when
/// FIBERPRODUCT_LARGE_NPY=1; the file itself is sparse and costs no disk space.
/// </summary>
public class NpyLargeFileTests
{
    [Fact]
    public void Float32ArrayOf600MillionElements_IsRead()
    {
        Assert.SkipUnless(Environment.GetEnvironmentVariable("FIBERPRODUCT_LARGE_NPY") == "1",
            "Set FIBERPRODUCT_LARGE_NPY=1 to read a 2.4 GB array (it needs 2.4 GB of memory).");
        const long count = 600_000_000; // 2.4e9 bytes of data: more than 2^31, fewer elements than Array.MaxLength
        string path = Path.Combine(Path.GetTempPath(), $"fiberproduct-large-{Guid.NewGuid():N}.npy");
        try
        {
            var header = NpyTestFiles.Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (600000000,), }", []);
            // around the 2^31-byte mark
            long[] marked = [0, (1L << 31) / 4 - 1, (1L << 31) / 4, count / 2 + 12345, count - 1];
            using (var file = new FileStream(path, FileMode.CreateNew))
            {
                file.Write(header);
                file.SetLength(header.Length + count * 4); // sparse zeros
                foreach (long index in marked)
                {
                    file.Position = header.Length + index * 4;
                    file.Write(BitConverter.GetBytes((float)(index % 1000) + 0.5f));
                }
            }
            var array = Npy.Read(path);
            Assert.Equal([600_000_000], array.Shape);
            var data = (float[])array.Data;
            foreach (long index in marked) Assert.Equal((float)(index % 1000) + 0.5f, data[index]);
            Assert.Equal(0f, data[count - 2]);
        }
        finally { File.Delete(path); }
    }
}
