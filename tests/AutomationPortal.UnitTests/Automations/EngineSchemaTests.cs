using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Metadata.Conventions;

namespace AutomationPortal.UnitTests.Automations;

/// <summary>The engine's fast write path takes its names and lengths from the EF model: it cannot drift from it.</summary>
public sealed class EngineSchemaTests
{
    [Fact]
    public void TheEngineWritesTheTablesAndColumnsOfThePortalsModel()
    {
        using var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite("Data Source=:memory:").Options);

        var schema = EngineSchema.From(db.Model);

        Assert.Equal("WorkItems", schema.WorkItems.Name);
        Assert.Equal("SummaryParty", schema.WorkItems.Column(nameof(WorkItem.SummaryParty)));
        Assert.Equal(300, schema.WorkItems.MaxLength(nameof(WorkItem.SummaryParty)));
        Assert.Equal(int.MaxValue, schema.WorkItems.MaxLength(nameof(WorkItem.Payload)));
        Assert.Equal("ActionFailed", schema.WorkItems.Text(nameof(WorkItem.Status), WorkItemStatus.ActionFailed));
        Assert.Equal("Effects", schema.Effects.Name);
    }

    [Fact]
    public void AColumnRenamedOrShortenedInTheModelIsWhatTheEngineWrites()
    {
        var builder = new ModelBuilder(SqliteConventionSetBuilder.Build());
        builder.ApplyConfigurationsFromAssembly(typeof(PortalDbContext).Assembly, t => t.Namespace?.StartsWith("AutomationPortal.Web.Features.Automations", StringComparison.Ordinal) == true);
        builder.Entity<WorkItem>().Property(w => w.SummaryParty).HasColumnName("PartyName").HasMaxLength(120);
        builder.Entity<Effect>().ToTable("Ledger");

        var schema = EngineSchema.From((IModel)builder.FinalizeModel());

        Assert.Equal("PartyName", schema.WorkItems.Column(nameof(WorkItem.SummaryParty)));
        Assert.Equal(120, schema.WorkItems.MaxLength(nameof(WorkItem.SummaryParty)));
        Assert.Equal("Ledger", schema.Effects.Name);
    }

    [Fact]
    public void APropertyTheEngineWritesButTheModelLacksStopsItNamingTheProperty()
    {
        using var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseSqlite("Data Source=:memory:").Options);
        var table = EngineSchema.From(db.Model).WorkItems;

        var error = Assert.Throws<InvalidOperationException>(() => table.Column("NoSuchProperty"));

        Assert.Contains("WorkItems has no property NoSuchProperty", error.Message, StringComparison.Ordinal);
    }
}
