using System.Runtime.CompilerServices;

namespace FiberProduct.Fiber.Kernels;

/// <summary>
/// Code that runs with one tile kernel as a type parameter, so the JIT compiles it for that kernel alone.
/// </summary>
internal interface IKernelUser<out TResult>
{
    TResult Use<TKernel>() where TKernel : IDotTileKernel;
}

/// <summary>
/// The one place that chooses the tile kernel: AVX-512 where the processor has it, else AVX2 with FMA, else the
/// portable one. <c>DOTNET_EnableAVX512F=0</c> and <c>DOTNET_EnableAVX2=0</c> select the others, which CI runs.
/// </summary>
internal static class TileKernels
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TResult Run<TUser, TResult>(TUser user) where TUser : struct, IKernelUser<TResult> =>
        DotTile512.IsSupported ? user.Use<DotTile512>()
        : DotTile256.IsSupported ? user.Use<DotTile256>()
        : user.Use<DotTileScalar>();

    /// <summary>Rows per micro-panel of the kernel this machine runs (12 with AVX-512, 6 with AVX2, else 4).</summary>
    public static int Height => Run<HeightOf, int>(default);

    private readonly struct HeightOf : IKernelUser<int>
    {
        public int Use<TKernel>() where TKernel : IDotTileKernel => TKernel.Height;
    }
}
