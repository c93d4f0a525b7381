using FiberProduct.Execution;
using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.LinearAlgebra.Factorization;

namespace FiberProduct.Numerics;

/// <summary>
/// MathNet's dense factorizations, made to honour a cancel. Once started, MathNet's eigenvalue, singular value and QR
/// decompositions run to their end: at d = 512 one takes 0.25–1.3 s on this project's machine, longer than the 100 ms
/// a cancel may wait. With a cancellable token, each runs on a thread of its own while the caller waits on the token:
/// a cancel returns at once, and the abandoned factorization finishes in the background (at most one factorization's
/// time; its result is dropped). Only one thread computes at a time, so a one-worker scope still uses one core. Without
/// a cancellable token it runs inline.
/// </summary>
internal static class Factorizations
{
    private static int running;

    /// <summary>Factorizations started on threads of their own and not yet finished, abandoned ones included.</summary>
    public static int Running => Volatile.Read(ref running);

    /// <summary>The eigendecomposition of a symmetric matrix.</summary>
    public static Evd<double> SymmetricEvd(Matrix<double> symmetric, ExecutionScope scope) =>
        Run(() => symmetric.Evd(Symmetricity.Symmetric), scope);

    /// <summary>The singular value decomposition, with or without the singular vectors.</summary>
    public static Svd<double> Svd(Matrix<double> matrix, bool computeVectors, ExecutionScope scope) =>
        Run(() => matrix.Svd(computeVectors), scope);

    /// <summary>
    /// The singular values (descending) and left singular vectors of a matrix, U with one column per singular value
    /// (rows × min(rows, columns)). For a tall matrix A = QR (thin), R = U_R Σ Vᵀ and U = Q U_R: MathNet's SVD always
    /// forms the square U, which at 512 rows costs about a second, while the thin route costs a QR of the matrix and
    /// an SVD of its small R.
    /// </summary>
    public static (Matrix<double> U, double[] S) ThinLeftSvd(Matrix<double> matrix, ExecutionScope scope)
    {
        int rows = matrix.RowCount, columns = matrix.ColumnCount;
        if (rows < columns)
        {
            var wide = Svd(matrix, computeVectors: true, scope);
            return (wide.U, wide.S.ToArray());
        }
        var qr = Run(() => matrix.QR(QRMethod.Thin), scope);
        var small = Svd(qr.R, computeVectors: true, scope);
        return (DenseProducts.Times(qr.Q, small.U), small.S.ToArray());
    }

    /// <summary>The QR decomposition's Q (full: square; thin: the matrix's shape).</summary>
    public static Matrix<double> OrthonormalQ(Matrix<double> matrix, QRMethod method, ExecutionScope scope) =>
        Run(() => matrix.QR(method).Q, scope);

    /// <summary>
    /// Runs <paramref name="factorization"/> so that a cancel of the scope's token returns within milliseconds. Its own
    /// exceptions (MathNet's NonConvergenceException) reach the caller unwrapped.
    /// </summary>
    public static T Run<T>(Func<T> factorization, ExecutionScope scope)
    {
        var token = scope.Token;
        if (!token.CanBeCanceled) return factorization();
        token.ThrowIfCancellationRequested();
        Interlocked.Increment(ref running);
        var task = Task.Factory.StartNew(() =>
        {
            try { return factorization(); }
            finally { Interlocked.Decrement(ref running); }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            task.Wait(token);
        }
        catch (OperationCanceledException)
        {
            // Observe a failure of the abandoned factorization, so it is not reported as an unobserved exception.
            task.ContinueWith(static t => t.Exception, CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            throw;
        }
        catch (AggregateException)
        {
            // Rethrown below as the factorization's own exception.
        }
        return task.GetAwaiter().GetResult();
    }
}
