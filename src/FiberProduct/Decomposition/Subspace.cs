using System.Globalization;
using FiberProduct.Embedding;
using MathNet.Numerics.LinearAlgebra;

namespace FiberProduct.Decomposition;

/// <summary>A linear subspace of Z = R^d given by an orthonormal basis (d × r): its projector, projections and
/// coordinates.</summary>
public sealed class Subspace
{
    private readonly Matrix<double> basis; // d × r, orthonormal columns

    internal Subspace(Matrix<double> basis) => this.basis = basis;

    /// <summary>The ambient dimension d.</summary>
    public int AmbientDimension => basis.RowCount;

    /// <summary>The dimension r of the subspace.</summary>
    public int Rank => basis.ColumnCount;

    internal Matrix<double> Basis => basis;

    /// <summary>The orthonormal basis as a d × r array (columns are basis vectors).</summary>
    /// <returns>A new d × r array; column c is the c-th basis vector.</returns>
    public double[,] BasisVectors() => basis.ToArray();

    /// <summary>The orthogonal projector Π = B Bᵀ (d × d, symmetric, idempotent).</summary>
    /// <returns>A new d × d array. Cost O(d²·r).</returns>
    public double[,] Projector() => (basis * basis.Transpose()).ToArray();

    /// <summary>The coordinates Bᵀv of a float32 vector in this subspace's basis (r values).</summary>
    /// <param name="vector">v, d values (widened to float64).</param>
    /// <returns>A new array of r values.</returns>
    /// <exception cref="ArgumentException"><paramref name="vector"/> does not have d values.</exception>
    public double[] Coordinates(ReadOnlySpan<float> vector)
    {
        var widened = new double[vector.Length];
        for (int k = 0; k < vector.Length; k++) widened[k] = vector[k];
        return Coordinates((ReadOnlySpan<double>)widened);
    }

    /// <summary>The coordinates Bᵀv of a float64 vector in this subspace's basis (r values).</summary>
    /// <param name="vector">v, d values.</param>
    /// <returns>A new array of r values.</returns>
    /// <exception cref="ArgumentException"><paramref name="vector"/> does not have d values.</exception>
    public double[] Coordinates(ReadOnlySpan<double> vector)
    {
        CheckDimension(vector.Length);
        var result = new double[Rank];
        for (int c = 0; c < Rank; c++)
        {
            double s = 0;
            for (int k = 0; k < vector.Length; k++) s += basis[k, c] * vector[k];
            result[c] = s;
        }
        return result;
    }

    /// <summary>The projection Πv = B Bᵀ v of a float32 vector in ambient coordinates (d values).</summary>
    /// <param name="vector">v, d values (widened to float64).</param>
    /// <returns>A new array of d values.</returns>
    /// <exception cref="ArgumentException"><paramref name="vector"/> does not have d values.</exception>
    public double[] Project(ReadOnlySpan<float> vector) =>
        (basis * Vector<double>.Build.DenseOfArray(Coordinates(vector))).ToArray();

    /// <summary>The projection Πv = B Bᵀ v of a float64 vector in ambient coordinates (d values).</summary>
    /// <param name="vector">v, d values.</param>
    /// <returns>A new array of d values.</returns>
    /// <exception cref="ArgumentException"><paramref name="vector"/> does not have d values.</exception>
    public double[] Project(ReadOnlySpan<double> vector) =>
        (basis * Vector<double>.Build.DenseOfArray(Coordinates(vector))).ToArray();

    /// <summary>The coordinates of every row of a set, as a new set of dimension r (distances within the subspace are
    /// preserved).</summary>
    /// <param name="set">N rows in R^d.</param>
    /// <returns>A new float64 set, N × r.</returns>
    /// <exception cref="ArgumentException"><paramref name="set"/>'s dimension is not d.</exception>
    /// <exception cref="InvalidOperationException">The subspace has dimension 0.</exception>
    public EmbeddingSet Coordinates(EmbeddingSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        CheckDimension(set.Dimension);
        if (Rank == 0)
            throw new InvalidOperationException("The subspace has dimension 0: there are no coordinates to give.");
        var rows = Matrix<double>.Build.Dense(set.Count, set.Dimension, (i, k) => set[i, k]);
        return ToSet(rows * basis);
    }

    /// <summary>The projection of every row of a set, in ambient coordinates (dimension d).</summary>
    /// <param name="set">N rows in R^d.</param>
    /// <returns>A new float64 set, N × d.</returns>
    /// <exception cref="ArgumentException"><paramref name="set"/>'s dimension is not d.</exception>
    public EmbeddingSet Project(EmbeddingSet set)
    {
        ArgumentNullException.ThrowIfNull(set);
        CheckDimension(set.Dimension);
        var rows = Matrix<double>.Build.Dense(set.Count, set.Dimension, (i, k) => set[i, k]);
        return ToSet(rows * basis * basis.Transpose());
    }

    private static EmbeddingSet ToSet(Matrix<double> m)
    {
        // Computed in float64 and kept in float64: a projection never narrows.
        var values = new double[m.RowCount * m.ColumnCount];
        for (int i = 0; i < m.RowCount; i++)
            for (int c = 0; c < m.ColumnCount; c++) values[i * m.ColumnCount + c] = m[i, c];
        return new EmbeddingSet(values, m.RowCount, m.ColumnCount);
    }

    private void CheckDimension(int dimension)
    {
        if (dimension != AmbientDimension)
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Expected vectors of R^{AmbientDimension}; got dimension {dimension}."), nameof(dimension));
    }
}
