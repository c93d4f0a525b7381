using FiberProduct.Execution;
using FiberProduct.Numerics;
using FiberProduct.Tests.Execution;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace FiberProduct.Tests.Numerics;

/// <summary>
/// MathNet's factorizations run to their end once started; <see cref="Factorizations"/> makes a cancel return at once
/// and leaves their results and errors as they were.
/// </summary>
[Collection(MeasuredAlone.Name)]
public class FactorizationsTests
{
    private static Matrix<double> RandomSymmetric(int d, int seed)
    {
        var random = new Random(seed);
        var a = Matrix<double>.Build.Dense(d, d, (_, _) => random.NextDouble() - 0.5);
        return a + a.Transpose();
    }

    [Fact]
    public void ACancelDuringAnEigendecomposition_ReturnsWithin100Ms()
    {
        // 1,200 × 1,200 takes seconds in MathNet's managed solver: the cancel after 100 ms lands inside it.
        var symmetric = RandomSymmetric(1_200, seed: 1);
        Responsiveness.HonoursCancel(
            token => Factorizations.SymmetricEvd(symmetric, new ExecutionScope(1, null, token)),
            after: TimeSpan.FromMilliseconds(100));
    }

    [Fact]
    public void ACancelDuringASingularValueDecomposition_ReturnsWithin100Ms()
    {
        var matrix = RandomSymmetric(1_000, seed: 2);
        Responsiveness.HonoursCancel(
            token => Factorizations.Svd(matrix, computeVectors: true, new ExecutionScope(1, null, token)),
            after: TimeSpan.FromMilliseconds(100));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Results_AreMathNetsOwn(bool cancellable)
    {
        using var source = new CancellationTokenSource();
        var scope = new ExecutionScope(1, null, cancellable ? source.Token : CancellationToken.None);
        var symmetric = RandomSymmetric(40, seed: 3);
        var expected = symmetric.Evd(Symmetricity.Symmetric);
        var evd = Factorizations.SymmetricEvd(symmetric, scope);
        Assert.Equal(expected.EigenValues.ToArray(), evd.EigenValues.ToArray());
        Assert.Equal(expected.EigenVectors.ToArray(), evd.EigenVectors.ToArray());
        Assert.Equal(symmetric.Svd(false).S.ToArray(), Factorizations.Svd(symmetric, false, scope).S.ToArray());
        Assert.Equal(symmetric.QR(QRMethod.Full).Q.ToArray(),
            Factorizations.OrthonormalQ(symmetric, QRMethod.Full, scope).ToArray());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void AFactorizationsOwnError_ReachesTheCallerUnwrapped(bool cancellable)
    {
        using var source = new CancellationTokenSource();
        var scope = new ExecutionScope(1, null, cancellable ? source.Token : CancellationToken.None);
        Assert.Throws<MathNet.Numerics.NonConvergenceException>(() =>
            Factorizations.Run<int>(() => throw new MathNet.Numerics.NonConvergenceException("planted"), scope));
    }

    [Fact]
    public void AnAlreadyCancelledToken_StartsNothing()
    {
        using var source = new CancellationTokenSource();
        source.Cancel();
        bool ran = false;
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Factorizations.Run(() => ran = true, new ExecutionScope(1, null, source.Token)));
        Assert.False(ran);
    }

    [Fact]
    public void AnAbandonedFactorization_RunsToItsEndInTheBackground_AndIsCountedUntilThen()
    {
        using var gate = new ManualResetEventSlim();
        using var source = new CancellationTokenSource();
        var scope = new ExecutionScope(1, null, source.Token);
        var caller = Task.Run(() => Factorizations.Run(() => { gate.Wait(); return 1; }, scope));
        Assert.True(SpinWait.SpinUntil(() => Factorizations.Running == 1, 5_000));
        source.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => caller.GetAwaiter().GetResult());
        Assert.Equal(1, Factorizations.Running);
        gate.Set();
        Assert.True(SpinWait.SpinUntil(() => Factorizations.Running == 0, 5_000));
    }

    [Theory]
    [InlineData(512, 77, 77, 1)]
    [InlineData(512, 175, 175, 2)]
    [InlineData(40, 40, 40, 3)]
    [InlineData(30, 50, 30, 4)]   // wide: MathNet's own SVD
    [InlineData(60, 20, 5, 5)]    // rank 5 of 20 columns
    public void ThinLeftSvd_AgreesWithMathNetsFullSvd(int rows, int columns, int rank, int seed)
    {
        var random = new Random(seed);
        var a = Matrix<double>.Build.Dense(rows, rank, (_, _) => random.NextDouble() - 0.5)
            * Matrix<double>.Build.Dense(rank, columns, (_, _) => random.NextDouble() - 0.5);
        var full = a.Svd(computeVectors: true);
        var (u, s) = Factorizations.ThinLeftSvd(a, ExecutionScope.Serial);
        int k = Math.Min(rows, columns);
        Assert.Equal((rows, k), (u.RowCount, u.ColumnCount));
        Assert.Equal(k, s.Length);
        double top = full.S[0];
        for (int i = 0; i < k; i++) Assert.Equal(full.S[i], s[i], 1e-12 * top);
        // The singular vectors of the nonzero, distinct singular values agree up to sign; all of U is orthonormal.
        for (int i = 0; i < rank; i++)
            Assert.Equal(1, Math.Abs(u.Column(i).DotProduct(full.U.Column(i))), 1e-8);
        var gram = u.TransposeThisAndMultiply(u);
        for (int i = 0; i < rank; i++)
            for (int j = 0; j < rank; j++) Assert.Equal(i == j ? 1 : 0, gram[i, j], 1e-12);
        // U Σ reproduces A's column space: the projection of A onto span(U_rank) is A.
        var ur = u.SubMatrix(0, rows, 0, rank);
        Assert.True((a - ur * ur.TransposeThisAndMultiply(a)).FrobeniusNorm() <= 1e-12 * a.FrobeniusNorm());
    }
}
