namespace FiberProduct.Decomposition;

/// <summary>
/// An eigenvalue or singular value iteration inside <see cref="SubspaceDecomposition.Estimate"/> or
/// <see cref="SubspaceDecomposition.EstimateByCca"/> did not converge. Degenerate data (constant rows, exactly low
/// rank) do not cause it: they get their numerical rank and a defined decomposition. The inner exception is the linear
/// algebra library's own report.
/// </summary>
public sealed class DecompositionConvergenceException : ArithmeticException
{
    /// <summary>Creates the exception with a default message.</summary>
    public DecompositionConvergenceException() : base(
        "An eigenvalue or singular value iteration of the decomposition did not converge.") { }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What did not converge, on which data.</param>
    public DecompositionConvergenceException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and the linear algebra library's report.</summary>
    /// <param name="message">What did not converge, on which data.</param>
    /// <param name="innerException">The report of the failing iteration.</param>
    public DecompositionConvergenceException(string message,
        Exception innerException) : base(message, innerException) { }
}
