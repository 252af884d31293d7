using System.Runtime.CompilerServices;
using AutomationPortal.Web.Features.Automations.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>
/// The tables, columns, lengths and enum texts of the rows the engine's fast write path inserts, read from the EF Core
/// model when the engine opens its store: one source of truth, so a column renamed or shortened in the model is what
/// the engine writes, and a property the engine writes that the model lacks stops the engine at once, naming it.
/// </summary>
internal sealed class EngineSchema
{
    private static readonly ConditionalWeakTable<IModel, EngineSchema> Cache = [];

    private EngineSchema(IModel model)
    {
        WorkItems = EngineTable.Of<WorkItem>(model);
        Decisions = EngineTable.Of<DecisionRecord>(model);
        Escalations = EngineTable.Of<Escalation>(model);
        Effects = EngineTable.Of<Effect>(model);
    }

    public EngineTable WorkItems { get; }

    public EngineTable Decisions { get; }

    public EngineTable Escalations { get; }

    public EngineTable Effects { get; }

    public static EngineSchema From(IModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Cache.GetValue(model, m => new EngineSchema(m));
    }
}

/// <summary>One table as the EF Core model maps it: its name, and each property's column, length and provider value.</summary>
internal sealed class EngineTable
{
    private readonly Dictionary<string, IProperty> _properties;
    private readonly StoreObjectIdentifier _store;

    private EngineTable(IEntityType entity)
    {
        Name = entity.GetTableName() ?? throw new InvalidOperationException($"{entity.DisplayName()} is mapped to no table.");
        _store = StoreObjectIdentifier.Table(Name, entity.GetSchema());
        _properties = entity.GetProperties().ToDictionary(p => p.Name, StringComparer.Ordinal);
    }

    public string Name { get; }

    public static EngineTable Of<T>(IModel model) =>
        new(model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"The EF model has no {typeof(T).Name}: the engine's store and the model disagree."));

    /// <summary>The column of each property, in the order given.</summary>
    public string[] Columns(params string[] properties) => [.. properties.Select(Column)];

    public string Column(string property) => Property(property).GetColumnName(_store)
        ?? throw new InvalidOperationException($"{Name}.{property} is mapped to no column.");

    /// <summary>The most characters the column holds (the model's HasMaxLength); unlimited when it sets none.</summary>
    public int MaxLength(string property) => Property(property).GetMaxLength() ?? int.MaxValue;

    /// <summary>A value as the model stores it (an enum by its converter: its name for HasConversion&lt;string&gt;).</summary>
    public string Text<TValue>(string property, TValue value)
        where TValue : struct, Enum =>
        Property(property).GetTypeMapping().Converter?.ConvertToProvider(value) as string ?? value.ToString();

    private IProperty Property(string property) =>
        _properties.TryGetValue(property, out var found)
            ? found
            : throw new InvalidOperationException($"The EF model of {Name} has no property {property}: the engine's write path and the model disagree.");
}
