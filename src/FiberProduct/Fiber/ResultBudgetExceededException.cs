using System.Globalization;

namespace FiberProduct.Fiber;

/// <summary>
/// A query found more pairs than <see cref="FiberProductOptions.MaxPairs"/> allows. Raise the budget, lower ε,
/// count instead of listing (<see cref="ApproximateFiberProduct.Count"/>), stream the pairs
/// (<see cref="ApproximateFiberProduct.EnumeratePairs"/>), or ask for a truncated result
/// (<see cref="FiberProductOptions.TruncateAtBudget"/>).
/// </summary>
public sealed class ResultBudgetExceededException : InvalidOperationException
{
    /// <summary>Creates the exception for a budget of <paramref name="maxPairs"/> pairs.</summary>
    /// <param name="maxPairs">The budget that was exceeded (<see cref="FiberProductOptions.MaxPairs"/>).</param>
    public ResultBudgetExceededException(long maxPairs)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"The fiber product has more than {maxPairs} pairs, the result budget (FiberProductOptions.MaxPairs). "
            + $"Raise the budget, lower epsilon, use Count or EnumeratePairs, or set TruncateAtBudget."))
    {
        MaxPairs = maxPairs;
    }

    /// <summary>Creates the exception with the default message; <see cref="MaxPairs"/> is 0.</summary>
    public ResultBudgetExceededException() { }

    /// <summary>Creates the exception with a message; <see cref="MaxPairs"/> is 0.</summary>
    /// <param name="message">What went wrong.</param>
    public ResultBudgetExceededException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and inner exception; <see cref="MaxPairs"/> is 0.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The exception that caused this one.</param>
    public ResultBudgetExceededException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The budget that was exceeded.</summary>
    public long MaxPairs { get; }
}
