namespace FiberProduct.Fiber.Kernels;

/// <summary>Receives the pairs of one image row and one text panel that the fast path could not rule out.</summary>
internal interface ITileSink
{
    /// <summary>
    /// Lanes set in <paramref name="candidates"/> may lie within ε of row <paramref name="row"/>; those also set in
    /// <paramref name="sure"/> certainly do. Lane l is text <paramref name="column0"/> + l, with float32 dot product
    /// <paramref name="dots"/>[l] in the working domain. Lanes past the last text are never set.
    /// </summary>
    void Candidates(int row, int column0, uint candidates, uint sure, ReadOnlySpan<float> dots);

    /// <summary>Every pair of the rows before <paramref name="rowEnd"/> in this worker's range has been offered; false
    /// stops the worker.</summary>
    bool RowsCompleted(int rowEnd);
}
