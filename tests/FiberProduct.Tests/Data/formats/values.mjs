// The values every fixture holds, shared by make_fixtures.mjs (and mirrored in make_fixtures.py and the C# tests'
// FormatFixtures.Value): exact binary fractions, so no reader can round them differently, with the special values
// in row 0 that a careless reader loses (−0, the smallest subnormal, the float32 maximum, float64 beyond float32).
export const N = 5;
export const D = 4;

/** Value at row i, column k of modality m (0 images, 1 texts) in a float32 or float64 file. */
export function value(i, k, m, wide) {
  if (i === 0) {
    const specials = wide ? [-0, 2 ** -1074, 1e300, 1 / 3] : [-0, 2 ** -149, 3.4028234663852886e38, -(2 ** -126)];
    return specials[k] * (m === 0 ? 1 : -1);
  }
  return (((i * 37 + k * 11 + m * 5) % 23) - 11) / 16;
}
