// Plots WORK/scaling.csv from pruning-scaling.sh: time against N per side (log–log) for the pruned join, a single
// cold query, the plain join and FAISS, on planted data and on the tiled CLIP pairs. usage: dotnet run
// benchmarks/scripts/plot-scaling.cs -- WORK/scaling.csv docs/images/pruning-scaling.png
#:package ScottPlot

using System.Globalization;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var lines = File.ReadAllLines(args[0]);
var header = lines[0].Split(',');
var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
int Column(string name) => Array.IndexOf(header, name);
var plot = new ScottPlot.Plot();
foreach (var (data, label, pattern) in new[] { ("planted", "planted", ScottPlot.LinePattern.Solid),
    ("clip", "tiled CLIP", ScottPlot.LinePattern.Dashed) })
{
    var subset = rows.Where(r => r[Column("data")] == data).ToList();
    double[] n = subset.Select(r => Math.Log10(double.Parse(r[Column("n")], CultureInfo.InvariantCulture))).ToArray();
    foreach (var (column, name, color) in new[] { ("always_seconds", "FiberProduct, pruned",
        ScottPlot.Colors.SteelBlue),
                                                  ("auto_cold_seconds", "FiberProduct, one cold query (Auto)",
                                                      ScottPlot.Colors.SeaGreen),
                                                  ("never_seconds", "FiberProduct, plain join", ScottPlot.Colors.Gray),
                                                  ("faiss_seconds", "FAISS range_search",
                                                      ScottPlot.Colors.DarkOrange) })
    {
        var line = plot.Add.ScatterLine(n,
            subset.Select(r => Math.Log10(double.Parse(r[Column(column)], CultureInfo.InvariantCulture))).ToArray());
        line.LegendText = $"{name} ({label})";
        line.Color = color;
        line.LinePattern = pattern;
        line.MarkerSize = 6;
    }
}
plot.Title("ε-join returning pairs, N × N × 512: time against N");
// Log–log through log10 of the data (ScottPlot has no log axis), labelled with the values themselves.
double[] sizes = rows.Select(r => double.Parse(r[Column("n")], CultureInfo.InvariantCulture))
    .Distinct().Order().ToArray();
plot.Axes.Bottom.SetTicks(sizes.Select(Math.Log10).ToArray(),
    sizes.Select(v => v.ToString("N0", CultureInfo.InvariantCulture)).ToArray());
double[] seconds = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50];
plot.Axes.Left.SetTicks(seconds.Select(Math.Log10).ToArray(),
    seconds.Select(v => v.ToString("0.##", CultureInfo.InvariantCulture)).ToArray());
plot.XLabel("N per side (log scale)");
plot.YLabel("seconds (log scale)");
plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
plot.SavePng(args[1], 900, 560);
Console.WriteLine($"wrote {args[1]}");
