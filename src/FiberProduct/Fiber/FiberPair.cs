namespace FiberProduct.Fiber;

/// <summary>One pair (P_i, Q_j) of a fiber product: image row, text row and their float64 distance.</summary>
/// <param name="Image">The index i of the image f(P_i).</param>
/// <param name="Text">The index j of the text g(Q_j).</param>
/// <param name="Distance">The distance ‖f(P_i) − g(Q_j)‖ under the product's metric, computed in float64.</param>
public readonly record struct FiberPair(int Image, int Text, double Distance);
