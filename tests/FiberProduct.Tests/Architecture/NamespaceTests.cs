using ArchUnitNET.Loader;

namespace FiberProduct.Tests.Architecture;

/// <summary>
/// Dependencies point one way: the top-level namespaces of the libraries (FiberProduct.Algebra, .Embedding, .Fiber,
/// .IO, …, each together with its sub-namespaces) form no cycle, so each can be read, tested and changed knowing only
/// those below it. The type dependencies are read from the compiled assemblies (ArchUnitNET: signatures, fields, method
/// bodies), so a dependency written with a fully qualified name counts as much as one behind a using.
/// </summary>
public class NamespaceTests
{
    private static readonly Lazy<Dictionary<string, HashSet<string>>> Graph = new(() =>
    {
        var architecture = new ArchLoader().LoadAssemblies(
            typeof(FiberProduct.Fiber.ApproximateFiberProduct).Assembly,
            typeof(FiberProduct.Datasets.CocoClip500).Assembly,
            typeof(FiberProduct.Imaging.ImageFile).Assembly,
            typeof(FiberProduct.Tokenizers.TokenizerAdapter).Assembly).Build();
        var graph = new Dictionary<string, HashSet<string>>();
        foreach (var type in architecture.Types)
        {
            if (TopLevel(type.Namespace.FullName) is not { } from) continue;
            var targets = graph.TryGetValue(from, out var set) ? set : graph[from] = [];
            foreach (var dependency in type.Dependencies)
                if (TopLevel(dependency.Target.Namespace.FullName) is { } to && to != from) targets.Add(to);
        }
        return graph;
    });

    /// <summary>"FiberProduct.Fiber.Kernels" → "Fiber"; the root namespace "FiberProduct" → "(root)"; others
    /// → null.</summary>
    private static string? TopLevel(string ns) =>
        ns == "FiberProduct" ? "(root)" : ns.StartsWith("FiberProduct.", StringComparison.Ordinal)
            ? ns.Split('.')[1] : null;

    [Fact]
    public void TopLevelNamespaces_FormNoCycle()
    {
        var cycles = StronglyConnected(Graph.Value).Where(c => c.Count > 1).ToList();
        Assert.True(cycles.Count == 0, "Namespace cycles: "
            + string.Join("; ", cycles.Select(c => string.Join(" ⇄ ", c))));
    }

    [Fact]
    public void IO_IsALeaf() => Assert.DoesNotContain(Graph.Value["IO"], n => n != "(root)");

    [Fact]
    public void TheCheck_FindsACycle()
    {
        // The detector itself can fail: a planted two-cycle and a three-cycle are found, a chain is not.
        var planted = new Dictionary<string, HashSet<string>>
        {
            ["A"] = ["B"], ["B"] = ["A", "C"], ["C"] = ["D"], ["D"] = ["E"], ["E"] = ["C"], ["F"] = ["A"],
        };
        var cycles = StronglyConnected(planted).Where(c => c.Count > 1).Select(c => string.Join("", c.Order())).Order();
        Assert.Equal(["AB", "CDE"], cycles);
        Assert.Contains("Embedding", Graph.Value["Fiber"]); // and the graph is really read from the assemblies
    }

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<List<string>> StronglyConnected(Dictionary<string, HashSet<string>> graph)
    {
        var index = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var components = new List<List<string>>();
        void Visit(string v)
        {
            index[v] = low[v] = index.Count;
            stack.Push(v);
            foreach (var w in graph.GetValueOrDefault(v, []))
            {
                if (!index.TryGetValue(w, out int seen)) { Visit(w); low[v] = Math.Min(low[v], low[w]); }
                else if (stack.Contains(w)) low[v] = Math.Min(low[v], seen);
            }
            if (low[v] != index[v]) return;
            var component = new List<string>();
            string u;
            do { u = stack.Pop(); component.Add(u); } while (u != v);
            components.Add(component);
        }
        foreach (var v in graph.Keys.Order(StringComparer.Ordinal)) if (!index.ContainsKey(v)) Visit(v);
        return components;
    }
}
