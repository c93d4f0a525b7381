using FiberProduct.Fiber.Kernels;

namespace FiberProduct.Tests.Fiber;

/// <summary>
/// Working arrays on (possibly huge-page backed) fresh memory are ordinary zeroed arrays of the length asked for, also
/// when the memory behind them was used before, on both sides of the size from which they are advised.
/// </summary>
public class LargeArraysTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData((1 << 19) - 1)]   // just below a huge page of floats: an ordinary array
    [InlineData(1 << 19)]         // exactly a huge page: pinned and advised
    [InlineData(3_000_017)]       // an odd length well above
    public void Allocate_GivesZeroedArraysOfTheLengthAsked(int length)
    {
        for (int round = 0; round < 3; round++)
        {
            var array = LargeArrays.Allocate<float>(length);
            var uninitialised = LargeArrays.AllocateUninitialized<float>(length);
            Assert.Equal(length, uninitialised.Length);
            Assert.Equal(length, array.Length);
            Assert.True(array.AsSpan().IndexOfAnyExcept(0f) < 0, "not zeroed");
            array.AsSpan().Fill(float.NaN); // garbage for the next round, if its memory is reused
            if (length > 0) Assert.True(float.IsNaN(array[^1]));
            GC.Collect();
        }
    }

    [Fact]
    public void Allocate_RejectsNegativeLengths() =>
        Assert.Equal("length",
            Assert.Throws<ArgumentOutOfRangeException>(() => LargeArrays.Allocate<int>(-1)).ParamName);
}
