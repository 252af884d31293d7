using System.Reflection;
using System.Reflection.Emit;
using AutomationPortal.Web.Features.Automations.Kinds;

namespace AutomationPortal.UnitTests.Architecture;

/// <summary>
/// The engine, its pages and its API name no kind: no type of the generic features refers to a type of a kind's
/// module, in its signatures or in its code (the method bodies' IL is read, so a page rendering a kind's component
/// or a service calling a kind's helper is found). A kind's module is the namespace of an <see cref="IAutomationKind"/>.
/// </summary>
public sealed class KindIsolationTests
{
    private static readonly Assembly Portal = typeof(IAutomationKind).Assembly;

    /// <summary>The generic parts: the engine and its pages, the queue and ROI to come, the shell and infrastructure.</summary>
    private static readonly string[] Generic =
    [
        "AutomationPortal.Web.Features.Automations",
        "AutomationPortal.Web.Features.Escalations",
        "AutomationPortal.Web.Features.Roi",
        "AutomationPortal.Web.Features.Dashboard",
        "AutomationPortal.Web.Components",
        "AutomationPortal.Web.Infrastructure",
    ];

    [Fact]
    public void NoGenericTypeRefersToAKindsModule()
    {
        var kindModules = KindModules();
        var problems = new List<string>();
        foreach (var type in Portal.GetTypes().Where(t => InAny(t.Namespace, Generic)))
        {
            foreach (var referenced in ReferencedTypes(type).Distinct())
            {
                if (InAny(referenced.Namespace, kindModules))
                {
                    problems.Add($"{type.FullName} refers to {referenced.FullName}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Distinct().Order(StringComparer.Ordinal)));
    }

    /// <summary>
    /// A kind reaches the engine's records through the contract (the effects ledger, the item history, the run's
    /// completion), never with SQL or EF of its own on the engine's tables.
    /// </summary>
    [Fact]
    public void NoKindQueriesTheEnginesTablesItself()
    {
        string[] engineOnly = ["Microsoft.Data.Sqlite", "Microsoft.EntityFrameworkCore", "SQLitePCL", "AutomationPortal.Web.Features.Automations.Engine"];
        var forbidden = new HashSet<Type> { typeof(AutomationPortal.Web.Infrastructure.Data.PortalDatabase), typeof(AutomationPortal.Web.Infrastructure.Data.PortalDbContext) };
        var problems = new List<string>();
        foreach (var type in Portal.GetTypes().Where(t => InAny(t.Namespace, KindModules())))
        {
            foreach (var referenced in ReferencedTypes(type).Distinct())
            {
                if (forbidden.Contains(referenced) || InAny(referenced.Namespace, engineOnly))
                {
                    problems.Add($"{type.FullName} refers to {referenced.FullName}");
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Distinct().Order(StringComparer.Ordinal)));
    }

    /// <summary>
    /// Kinds and their runs take their services through their constructors (the engine builds runs with
    /// <see cref="IKindRunFactory"/>), never by asking a service provider for them.
    /// </summary>
    [Fact]
    public void NoKindOrRunLooksUpServices()
    {
        var problems = new List<string>();
        var kindsAndRuns = Portal.GetTypes().Where(t => InAny(t.Namespace, KindModules())
            && (typeof(IAutomationKind).IsAssignableFrom(t) || typeof(IKindRun).IsAssignableFrom(t)));
        foreach (var type in kindsAndRuns)
        {
            foreach (var method in MethodsOf(type))
            {
                foreach (var member in MembersUsedBy(method).OfType<MethodBase>())
                {
                    if (member.DeclaringType == typeof(IServiceProvider)
                        || member.DeclaringType?.FullName is "Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions" or "Microsoft.Extensions.DependencyInjection.ActivatorUtilities")
                    {
                        problems.Add($"{type.FullName}.{method.Name} calls {member.DeclaringType!.Name}.{member.Name}");
                    }
                }
            }
        }

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems.Distinct().Order(StringComparer.Ordinal)));
    }

    [Fact]
    public void EachKindIsAModuleOfItsOwn()
    {
        var modules = KindModules();

        Assert.Contains("AutomationPortal.Web.Features.InvoiceIntake", modules);
        Assert.Contains("AutomationPortal.Web.Features.SampleInbox", modules);
        Assert.DoesNotContain(modules, m => InAny(m, Generic));
    }

    /// <summary>The scanner finds what a method's code uses, not only its signature: otherwise the test above proves nothing.</summary>
    [Fact]
    public void TheScannerSeesReferencesInMethodBodiesAndRazorMarkup()
    {
        var demo = Portal.GetType("AutomationPortal.Web.Features.InvoiceIntake.InvoiceIntakeDemo", throwOnError: true)!;
        var itemView = Portal.GetType("AutomationPortal.Web.Features.InvoiceIntake.InvoiceItemView", throwOnError: true)!;

        // DemoInvoices' body calls InvoiceWriter and InvoiceSamples, which no signature names.
        Assert.Contains(ReferencedTypes(demo), t => t.Name == "InvoiceWriter");
        // The item view's markup renders InvoiceView.
        Assert.Contains(ReferencedTypes(itemView), t => t.Name == "InvoiceView");
    }

    private static List<string> KindModules() =>
        Portal.GetTypes()
            .Where(t => typeof(IAutomationKind).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
            .Select(t => t.Namespace!)
            .Distinct()
            .ToList();

    private static bool InAny(string? ns, IEnumerable<string> roots) =>
        ns is not null && roots.Any(r => ns == r || ns.StartsWith(r + ".", StringComparison.Ordinal));

    private const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    /// <summary>Every type a type refers to: its base, interfaces, members' signatures, attributes, and what its code uses.</summary>
    internal static IEnumerable<Type> ReferencedTypes(Type type)
    {
        var found = new List<Type>();
        void Add(Type? t)
        {
            if (t is null)
            {
                return;
            }

            if (t.HasElementType)
            {
                Add(t.GetElementType());
                return;
            }

            found.Add(t);
            if (t.IsGenericType && !t.IsGenericTypeDefinition)
            {
                foreach (var argument in t.GetGenericArguments())
                {
                    Add(argument);
                }
            }
        }

        Add(type.BaseType);
        foreach (var i in type.GetInterfaces())
        {
            Add(i);
        }

        foreach (var attribute in type.GetCustomAttributesData())
        {
            Add(attribute.AttributeType);
        }

        foreach (var field in type.GetFields(Everything))
        {
            Add(field.FieldType);
        }

        foreach (var property in type.GetProperties(Everything))
        {
            Add(property.PropertyType);
        }

        foreach (var method in type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything)))
        {
            if (method is MethodInfo info)
            {
                Add(info.ReturnType);
            }

            foreach (var parameter in method.GetParameters())
            {
                Add(parameter.ParameterType);
            }

            foreach (var used in TypesUsedBy(method))
            {
                Add(used);
            }
        }

        // Lambdas, local functions and async state machines are nested types of the type that wrote them.
        foreach (var nested in type.GetNestedTypes(Everything))
        {
            found.AddRange(ReferencedTypes(nested));
        }

        return found;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The types a method's IL names: what it calls, creates, reads, casts to or takes the token of.</summary>
    private static IEnumerable<Type> TypesUsedBy(MethodBase method)
    {
        foreach (var member in MembersUsedBy(method))
        {
            switch (member)
            {
                case Type t:
                    yield return t;
                    break;
                case MethodBase m:
                    if (m.DeclaringType is { } owner)
                    {
                        yield return owner;
                    }

                    if (m is MethodInfo mi)
                    {
                        yield return mi.ReturnType;
                        if (mi.IsGenericMethod)
                        {
                            foreach (var g in mi.GetGenericArguments())
                            {
                                yield return g;
                            }
                        }
                    }

                    break;
                case FieldInfo f:
                    if (f.DeclaringType is { } fieldOwner)
                    {
                        yield return fieldOwner;
                    }

                    yield return f.FieldType;
                    break;
            }
        }
    }

    /// <summary>The members and types a method's IL names (tokens of calls, fields, types), resolved.</summary>
    internal static IEnumerable<MemberInfo> MembersUsedBy(MethodBase method)
    {
        byte[]? il;
        try
        {
            il = method.GetMethodBody()?.GetILAsByteArray();
        }
        catch (InvalidOperationException)
        {
            il = null;
        }

        if (il is null)
        {
            yield break;
        }

        var typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        var methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (var at = 0; at < il.Length;)
        {
            var code = il[at] == 0xFE ? OpCodesByValue[unchecked((short)(0xFE00 | il[at + 1]))] : OpCodesByValue[il[at]];
            at += code.Size;
            switch (code.OperandType)
            {
                case OperandType.InlineField:
                case OperandType.InlineMethod:
                case OperandType.InlineTok:
                case OperandType.InlineType:
                    MemberInfo? member = null;
                    try
                    {
                        member = method.Module.ResolveMember(BitConverter.ToInt32(il, at), typeArguments, methodArguments);
                    }
                    catch (ArgumentException)
                    {
                    }

                    if (member is not null)
                    {
                        yield return member;
                    }

                    at += 4;
                    break;
                case OperandType.InlineSwitch:
                    at += 4 + (4 * BitConverter.ToInt32(il, at));
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    at += 1;
                    break;
                case OperandType.InlineVar:
                    at += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    at += 8;
                    break;
                default:
                    at += 4;
                    break;
            }
        }
    }

    /// <summary>Every method and constructor of a type and its nested types (lambdas, state machines).</summary>
    internal static IEnumerable<MethodBase> MethodsOf(Type type) =>
        type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything))
            .Concat(type.GetNestedTypes(Everything).SelectMany(MethodsOf));
}
