using System.Reflection;
using System.Xml.Linq;

namespace FiberProduct.Tests.Architecture;

/// <summary>
/// IntelliSense is the manual most users read: every public method, constructor and indexer of the packages documents
/// each parameter (&lt;param&gt;) and, when it returns something, what (&lt;returns&gt;), read from the XML files the
/// build ships in the packages. Properties, fields and compiler-generated members (record parameters are documented on
/// the record) are not asked for more than their summary.
/// </summary>
public class DocumentationTests
{
    public static TheoryData<string> Packages() => new(
        typeof(FiberProduct.Fiber.ApproximateFiberProduct).Assembly.GetName().Name!,
        typeof(FiberProduct.Datasets.CocoClip500).Assembly.GetName().Name!,
        typeof(FiberProduct.Imaging.ImageFile).Assembly.GetName().Name!,
        typeof(FiberProduct.Tokenizers.TokenizerAdapter).Assembly.GetName().Name!);

    [Theory]
    [MemberData(nameof(Packages))]
    public void EveryPublicMethod_DocumentsItsParametersAndResult(string package)
    {
        var assembly = Assembly.Load(package);
        var xml = Path.ChangeExtension(assembly.Location, ".xml");
        Assert.True(File.Exists(xml), $"{xml} is missing: GenerateDocumentationFile must be on.");
        var docs = XDocument.Load(xml).Descendants("member").ToDictionary(m => (string)m.Attribute("name")!);
        var gaps = new List<string>();
        foreach (var type in assembly.GetExportedTypes())
        {
            if (type.IsSubclassOf(typeof(Delegate))) continue;
            var members =
                type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static
                    | BindingFlags.DeclaredOnly)
                .Where(m => !m.IsSpecialName || m.Name.StartsWith("op_", StringComparison.Ordinal))
                .Cast<MethodBase>()
                .Concat(type.GetConstructors())
                .Where(m => !m.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute))
                    && !IsRecordPlumbing(type, m));
            foreach (var method in members)
            {
                var parameters = method.GetParameters();
                bool returns = method is MethodInfo { ReturnType: var r } && r != typeof(void);
                if (parameters.Length == 0 && !returns) continue;
                if (!docs.TryGetValue(XmlId(method), out var doc))
                {
                    gaps.Add($"{Name(method)}: no documentation");
                    continue;
                }
                if (doc.Element("inheritdoc") is not null) continue;
                var documented = doc.Elements("param").Select(p => (string?)p.Attribute("name")).ToHashSet();
                foreach (var p in parameters.Where(p => !documented.Contains(p.Name)))
                    gaps.Add($"{Name(method)}: no <param name=\"{p.Name}\">");
                if (returns && doc.Element("returns") is null
                    && method.Name is not ("ToString" or "GetHashCode" or "Equals"))
                    gaps.Add($"{Name(method)}: no <returns>");
            }
        }
        Assert.True(gaps.Count == 0, $"{gaps.Count} gaps in {package}:\n"
            + string.Join("\n", gaps.Order(StringComparer.Ordinal)));
    }

    /// <summary>Members the compiler writes for records (Deconstruct, Equals, PrintMembers, the copy
    /// constructor, …).</summary>
    private static bool IsRecordPlumbing(Type type, MethodBase method) =>
        type.GetMethod("<Clone>$") is not null
        && (method.Name is "Deconstruct" or "Equals" or "GetHashCode" or "ToString" or "PrintMembers"
            or "op_Equality" or "op_Inequality"
            || method is ConstructorInfo c && c.GetParameters() is [var only] && only.ParameterType == type
            || method is ConstructorInfo primary && primary.GetParameters().Length > 0
               && primary.GetParameters().All(p => type.GetProperty(p.Name!) is not null));

    private static string Name(MethodBase method) => $"{method.DeclaringType!.FullName}.{method.Name}";

    /// <summary>The member ID of the C# documentation format ("M:Namespace.Type.Method(System.Int32,…)").</summary>
    private static string XmlId(MethodBase method)
    {
        string type = method.DeclaringType!.FullName!.Replace('+', '.');
        string name = method is ConstructorInfo ? "#ctor" : method.Name;
        if (method.IsGenericMethod) name += "``" + method.GetGenericArguments().Length;
        var parameters = method.GetParameters();
        string id = $"M:{type}.{name}";
        if (parameters.Length > 0)
            id += "(" + string.Join(",", parameters.Select(p => TypeId(p.ParameterType, method))) + ")";
        if (method.Name is "op_Implicit" or "op_Explicit" && method is MethodInfo info)
            id += "~" + TypeId(info.ReturnType, method);
        return id;
    }

    private static string TypeId(Type type, MethodBase method)
    {
        if (type.IsByRef) return TypeId(type.GetElementType()!, method) + "@";
        if (type.IsArray)
            return TypeId(type.GetElementType()!, method) + "["
                + (type.GetArrayRank() > 1 ? string.Join(",", Enumerable.Repeat("0:", type.GetArrayRank())) : "") + "]";
        if (type.IsPointer) return TypeId(type.GetElementType()!, method) + "*";
        if (type.IsGenericMethodParameter) return "``" + type.GenericParameterPosition;
        if (type.IsGenericTypeParameter) return "`" + type.GenericParameterPosition;
        if (type.IsGenericType)
        {
            var definition = type.GetGenericTypeDefinition().FullName!;
            definition = definition[..definition.IndexOf('`', StringComparison.Ordinal)].Replace('+', '.');
            return definition + "{" + string.Join(",", type.GetGenericArguments().Select(a => TypeId(a, method))) + "}";
        }
        return type.FullName!.Replace('+', '.');
    }
}
