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
    public ResultBudgetExceededException(long maxPairs)
        : base(string.Create(CultureInfo.InvariantCulture,
            $"The fiber product has more than {maxPairs} pairs, the result budget (FiberProductOptions.MaxPairs). Raise the budget, lower epsilon, use Count or EnumeratePairs, or set TruncateAtBudget."))
    {
        MaxPairs = maxPairs;
    }

    /// <summary>Creates the exception with a message.</summary>
    public ResultBudgetExceededException() { }

    /// <summary>Creates the exception with a message.</summary>
    public ResultBudgetExceededException(string message) : base(message) { }

    /// <summary>Creates the exception with a message and inner exception.</summary>
    public ResultBudgetExceededException(string message, Exception innerException) : base(message, innerException) { }

    /// <summary>The budget that was exceeded.</summary>
    public long MaxPairs { get; }
}
