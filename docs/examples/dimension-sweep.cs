// Statement T5, concentration of distances: dotnet run docs/examples/dimension-sweep.cs
// For independent uniform points of the unit sphere S^{d−1}, the chance that two lie within ε collapses with d at
// any fixed ε < √2, and the ε that holds a fixed fraction of pairs closes in on √2 with a width of order 1/√d.
#:project ../../src/FiberProduct/FiberProduct.csproj

using System.Globalization;
using FiberProduct.Analysis;
using FiberProduct.Embedding;
using FiberProduct.Fiber;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var random = new Random(7);
Console.WriteLine(
    "   d    P(ε=1.0)     P(ε=1.3)     ε for 1 %   ε for 50 %  ε for 99 %  √d·(ε75 − ε25)  |F_1.3| of "
    + "300×300: expected / counted");
foreach (int d in new[] { 2, 8, 32, 128, 512, 2048 })
{
    double p10 = SphereDistances.ProbabilityWithin(d, 1.0), p13 = SphereDistances.ProbabilityWithin(d, 1.3);
    double e01 = SphereDistances.EpsilonForFraction(d, 0.01), e50 = SphereDistances.EpsilonForFraction(d, 0.5), e99 =
        SphereDistances.EpsilonForFraction(d, 0.99);
    double width =
        Math.Sqrt(d) * (SphereDistances.EpsilonForFraction(d, 0.75) - SphereDistances.EpsilonForFraction(d, 0.25));
    var product = new ApproximateFiberProduct(Uniform(300, d), Uniform(300, d));
    Console.WriteLine(
        $"{d,5}  {p10,11:E3}  {p13,11:E3}  {e01,10:F5}  {e50,10:F5}  {e99,10:F5}  {width,14:F4}   "
        + $"{SphereDistances.ExpectedPairs(300, 300, d, 1.3),10:F1} / {product.Count(1.3)}");
}

EmbeddingSet Uniform(int count, int d)
{
    var values = new float[count * d];
    for (int i = 0; i < count; i++)
    {
        var row = new double[d];
        for (int k = 0; k < d; k++)
            row[k] = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
        double norm = Math.Sqrt(row.Sum(v => v * v));
        for (int k = 0; k < d; k++) values[i * d + k] = (float)(row[k] / norm);
    }
    return new EmbeddingSet(values, count, d);
}
