namespace FiberProduct.Fiber;

/// <summary>
/// The distance ‖f(P) − g(Q)‖ that defines F_ε. Every bound is closed (≤) on the plain distance,
/// never on its square.
/// </summary>
public enum FiberMetric
{
    /// <summary>Euclidean distance ‖x − y‖ (the paper's choice and the default).</summary>
    Euclidean,

    /// <summary>Cosine distance 1 − ⟨x, y⟩ / (‖x‖‖y‖), in [0, 2]; zero vectors are rejected.</summary>
    Cosine,

    /// <summary>Angular distance arccos(⟨x, y⟩ / (‖x‖‖y‖)), in radians, in [0, π]; zero vectors are
    /// rejected.</summary>
    Angular,
}
