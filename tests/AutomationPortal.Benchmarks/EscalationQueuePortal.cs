using System.Globalization;
using System.Text.Json;
using AutomationPortal.TestSupport;
using AutomationPortal.Web.Features.Automations.Engine;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Escalations;
using AutomationPortal.Web.Features.InvoiceIntake;
using AutomationPortal.Web.Features.Users;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.Benchmarks;

/// <summary>
/// The real portal (its own host, services, migrations and background work) on a SQLite file seeded with a busy
/// escalation queue: 20 invoice automations, 100,000 live work items whose escalations are not resolved (most open,
/// some claimed by the 8 agents, some deferred) and 5,000 more resolved over the same 30 days. The rows are written
/// straight into the tables with the engine's own <see cref="BatchInserter"/>, stored exactly as the engine stores
/// them. Agents are real accounts; each acts as the portal signs them in (their claims principal, read into an actor).
/// </summary>
internal sealed class EscalationQueuePortal : IAsyncDisposable
{
    public const int Automations = 20;
    public const int Unresolved = 100_000;
    public const int Resolved = 5_000;
    public const int Suppliers = 2_000;
    public const int AgentCount = 8;

    private static readonly string[] Reasons = ["over-threshold", "unusual-amount", "new-supplier", "possible-duplicate", "duplicate", "missing:buyer-reference"];
    private static readonly double[] ReasonWeights = [0.58, 0.15, 0.12, 0.08, 0.04, 0.03];
    private static readonly string[] First =
    [
        "Acme", "Nordwind", "Baltic", "Alpine", "Rhein", "Silver", "Blue", "Green", "Eastern", "Western", "Summit", "Harbor", "Crown", "Delta", "Falcon",
        "Granite", "Horizon", "Iron", "Juniper", "Keystone", "Lakeside", "Meridian", "Northstar", "Oak", "Pioneer", "Quartz", "Redwood", "Sterling",
        "Titan", "Unity", "Vertex", "Willow", "Zenith", "Atlas", "Beacon", "Cedar", "Dune", "Ember", "Fjord", "Glacier",
    ];

    private static readonly string[] Second =
    [
        "Logistics", "Office Supplies", "Packaging", "Facility Services", "Consulting", "Electronics", "Catering", "Print", "Freight", "Software",
        "Cleaning", "Security", "Energy", "Telecom", "Metals", "Chemicals", "Textiles", "Tools", "Media", "Engineering", "Furniture", "Travel",
        "Paper", "Plastics", "Lighting",
    ];

    private static readonly string[] Suffix = ["GmbH", "Ltd", "B.V.", "S.A.", "AG", "Inc.", "SARL", "Oy", "AB", "ApS"];

    private EscalationQueuePortal(PortalAppFactory factory, IReadOnlyList<Actor> agents, IReadOnlyList<Guid> automationIds, IReadOnlyList<Guid> openIds)
    {
        Factory = factory;
        Agents = agents;
        AutomationIds = automationIds;
        OpenEscalations = openIds;
    }

    public PortalAppFactory Factory { get; }

    public IServiceProvider Services => Factory.Services;

    public PortalDatabase Database => Services.GetRequiredService<PortalDatabase>();

    /// <summary>The agents, as the portal reads each from their sign-in: the first one is the person looking at the queue.</summary>
    public IReadOnlyList<Actor> Agents { get; }

    public IReadOnlyList<Guid> AutomationIds { get; }

    /// <summary>Escalations open (unassigned) after seeding, oldest first: what claims take.</summary>
    public IReadOnlyList<Guid> OpenEscalations { get; }

    /// <summary>A unit of work acting as <paramref name="actor"/>, as a Blazor component or a request gets one.</summary>
    public AsyncServiceScope Scope(Actor actor)
    {
        var scope = Services.CreateAsyncScope();
        scope.ServiceProvider.GetRequiredService<CurrentActor>().Use(actor);
        return scope;
    }

    public static async Task<EscalationQueuePortal> StartAsync()
    {
        var factory = new PortalAppFactory(null, demo: false);
        var started = System.Diagnostics.Stopwatch.StartNew();
        var services = factory.Services;
        var agents = new List<Actor>();
        var automationIds = new List<Guid>();
        await using (var scope = services.CreateAsyncScope())
        {
            scope.ServiceProvider.GetRequiredService<CurrentActor>().UseSystem("benchmark");
            var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
            var accounts = scope.ServiceProvider.GetRequiredService<UserManager<PortalUser>>();
            var principals = scope.ServiceProvider.GetRequiredService<IUserClaimsPrincipalFactory<PortalUser>>();
            for (var i = 1; i <= AgentCount; i++)
            {
                var created = await users.CreateAsync(new NewUser($"agent{i}@bench.test", $"Agent {i}", Role.Agent, "benchmark password " + i));
                var user = await accounts.FindByIdAsync(created.User.Id.ToString()) ?? throw new InvalidOperationException("The agent was not created.");
                agents.Add(Actor.FromPrincipal(await principals.CreateAsync(user)));
            }

            var db = scope.ServiceProvider.GetRequiredService<PortalDbContext>();
            for (var i = 0; i < Automations; i++)
            {
                var automation = new Automation
                {
                    Kind = InvoiceIntakeKind.KindKey,
                    Name = $"Supplier invoices {(char)('A' + i)} ({Region(i)})",
                    // Never fires while measured: the automations exist for their items only.
                    Schedule = "0 0 3 1 1 ? 2099",
                    State = AutomationState.Production,
                    Settings = $$"""{"inboxPath":"inv{{i}}/inbox","outboxPath":"inv{{i}}/outbox"}""",
                };
                db.Add(automation);
                automationIds.Add(automation.Id);
            }

            await db.SaveChangesAsync();
        }

        var open = await SeedAsync(services.GetRequiredService<PortalDatabase>(), agents, automationIds);
        Console.WriteLine($"// Seeded {Unresolved:N0} unresolved and {Resolved:N0} resolved escalations over {Automations} automations in {started.Elapsed.TotalSeconds:0.0} s.");
        return new EscalationQueuePortal(factory, agents, automationIds, open);
    }

    private static string Region(int i) => new[] { "DE", "NL", "FR", "UK", "ES", "IT", "SE", "PL", "AT", "BE" }[i % 10] + (i < 10 ? "" : " 2");

    private static async Task<List<Guid>> SeedAsync(PortalDatabase database, IReadOnlyList<Actor> agents, IReadOnlyList<Guid> automations)
    {
        var random = new Random(20_261_202);
        var now = DateTime.UtcNow;
        var suppliers = MakeSuppliers(random);
        // A few suppliers send most invoices: weights fall with the supplier's rank.
        var cumulative = new double[suppliers.Count];
        var sum = 0.0;
        for (var i = 0; i < suppliers.Count; i++)
        {
            sum += 1 / Math.Pow(i + 1, 0.7);
            cumulative[i] = sum;
        }

        var open = new List<(DateTime CreatedAt, Guid Id)>();
        await using var connection = await database.OpenConnectionAsync(CancellationToken.None);
        var transaction = await connection.BeginTransactionAsync();
        using var items = new BatchInserter(connection, "WorkItems",
        [
            "Id", "AutomationId", "Lane", "SourceKey", "RunId", "LastRunId", "Status", "Decision", "ReasonCodes", "Payload", "OriginalRef", "Error", "ActionAttempts",
            "ReceivedAt", "DecidedAt", "CompletedAt", "LastOutcomeAt", "ProcessingMs", "SummaryReference", "SummaryParty", "SummaryPartyId", "SummaryAmount",
            "SummaryCurrency", "SummaryType", "SummaryDate", "ContentKey",
        ]);
        using var escalations = new BatchInserter(connection, "Escalations",
        [
            "Id", "WorkItemId", "AutomationId", "Reasons", "Status", "CreatedAt", "AssigneeId", "AssigneeName", "ClaimedAt", "DeferredUntil", "DueAt", "ResolvedAt",
            "ResolvedById", "Version", "Reference", "Party", "PartyId", "Amount",
        ]);
        using var events = new BatchInserter(connection, "ItemEvents", ["Id", "WorkItemId", "EscalationId", "At", "Type", "ActorId", "ActorName", "AssigneeId", "AssigneeName", "Text", "Until"]);
        var runs = automations.Select(_ => Guid.CreateVersion7()).ToArray();
        var sequence = new int[suppliers.Count];
        for (var n = 0; n < Unresolved + Resolved; n++)
        {
            var s = Array.BinarySearch(cumulative, random.NextDouble() * sum);
            s = s < 0 ? ~s : s;
            var supplier = suppliers[Math.Min(s, suppliers.Count - 1)];
            var a = random.NextDouble() < 0.9 ? supplier.Automation : random.Next(automations.Count);
            var created = now.AddSeconds(-random.NextDouble() * 30 * 86_400);
            var received = created.AddMilliseconds(-random.Next(50, 5_000));
            var amount = decimal.Round((decimal)Math.Exp(7 + (1.3 * Gaussian(random))), 2);
            var currency = random.NextDouble() switch { < 0.8 => "EUR", < 0.92 => "USD", _ => "GBP" };
            var reasons = Reason(random);
            var second = random.NextDouble() < 0.2 ? Reason(random) : reasons;
            reasons = second == reasons ? reasons : reasons + " " + second;
            var reference = $"{supplier.Code}-{created.Year}-{++sequence[s]:000000}";
            var issued = DateOnly.FromDateTime(created.AddDays(-random.Next(0, 10)));
            var itemId = Guid.CreateVersion7(created);
            var escalationId = Guid.CreateVersion7(created);
            var resolved = n >= Unresolved;
            var roll = random.NextDouble();
            var (status, holder) = resolved ? (EscalationStatus.Resolved, agents[random.Next(agents.Count)])
                : roll < 0.07 ? (EscalationStatus.Claimed, agents[random.Next(agents.Count)])
                : roll < 0.09 ? (EscalationStatus.Deferred, agents[random.Next(agents.Count)])
                : (EscalationStatus.Open, (Actor?)null);
            var claimedAt = holder is null ? (DateTime?)null : Min(created.AddMinutes(random.Next(1, 600)), now.AddMinutes(-1));
            var resolvedAt = resolved ? Min(claimedAt!.Value.AddMinutes(random.Next(2, 60)), now.AddSeconds(-1)) : (DateTime?)null;
            var deferredUntil = status == EscalationStatus.Deferred ? now.AddMinutes(random.Next(60, 7 * 1440)) : (DateTime?)null;

            items.Row().Id(itemId).Id(automations[a]).Text("Live").Text(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(BitConverter.GetBytes(n))))
                .Id(runs[a]).Id(runs[a]).Text(resolved ? nameof(WorkItemStatus.Done) : nameof(WorkItemStatus.Escalated)).Text(resolved ? "approve" : "escalate")
                .Text(reasons).Text(Payload(supplier, reference, amount, currency, issued, random)).Text($"inv{a}/archive/{itemId:N}.xml").Text(null).Number(0)
                .Time(received).Time(created).Time(resolvedAt).Time(created).Real(2 + (random.NextDouble() * 20))
                .Text(reference).Text(supplier.Name).Text(supplier.Id).Amount(amount).Text(currency).Text("Invoice")
                .Text(issued.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)).Text(Convert.ToHexString(BitConverter.GetBytes(n * 7919L)))
                .EndRow();
            escalations.Row().Id(escalationId).Id(itemId).Id(automations[a]).Text(reasons).Text(status.ToString()).Time(created)
                .Id(holder?.Id).Text(holder?.Name).Time(claimedAt).Time(deferredUntil).Time(null).Time(resolvedAt).Id(resolved ? holder!.Id : null)
                .Number(holder is null ? 1 : resolved ? 3 : 2)
                // The summary copied as the engine writes it (the database copies it for any other writer).
                .Text(reference).Text(supplier.Name).Text(supplier.Id).Amount(amount)
                .EndRow();
            if (holder is not null)
            {
                events.Row().Id(Guid.CreateVersion7(claimedAt!.Value)).Id(itemId).Id(escalationId).Time(claimedAt).Text(nameof(ItemEventType.Claimed))
                    .Id(holder.Id).Text(holder.Name).Id(null).Text(null).Text(null).Time(null).EndRow();
            }

            if (status == EscalationStatus.Deferred)
            {
                events.Row().Id(Guid.CreateVersion7(claimedAt!.Value.AddSeconds(30))).Id(itemId).Id(escalationId).Time(claimedAt.Value.AddSeconds(30))
                    .Text(nameof(ItemEventType.Deferred)).Id(holder!.Id).Text(holder.Name).Id(null).Text(null).Text("Waiting for the supplier's credit note.")
                    .Time(deferredUntil).EndRow();
            }

            if (status == EscalationStatus.Open)
            {
                open.Add((created, escalationId));
            }

            // In chunks as the engine writes, so the portal's own writers (Quartz, the return of deferrals) get their turn.
            if (n % 5_000 == 4_999)
            {
                await transaction.CommitAsync();
                await transaction.DisposeAsync();
                transaction = await connection.BeginTransactionAsync();
            }
        }

        await transaction.CommitAsync();
        await transaction.DisposeAsync();
        await using (var analyze = connection.CreateCommand())
        {
            // No ANALYZE: the portal never runs it, so the planner works without statistics here as it does there.
            analyze.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            await analyze.ExecuteNonQueryAsync();
        }

        await using (var check = connection.CreateCommand())
        {
            // The database copied every item's summary onto its escalation and indexed it for the search.
            check.CommandText = """
                INSERT INTO "EscalationSearch"("EscalationSearch") VALUES ('integrity-check');
                SELECT COUNT(*) FROM "Escalations" AS e JOIN "WorkItems" AS w ON w."Id" = e."WorkItemId"
                WHERE e."Reference" IS NOT w."SummaryReference" OR e."Party" IS NOT w."SummaryParty" OR e."PartyId" IS NOT w."SummaryPartyId" OR e."Amount" IS NOT w."SummaryAmount"
                """;
            if (Convert.ToInt64(await check.ExecuteScalarAsync(), CultureInfo.InvariantCulture) != 0)
            {
                throw new InvalidOperationException("Some escalations do not carry their item's summary.");
            }
        }

        return open.OrderBy(o => o.CreatedAt).Select(o => o.Id).ToList();
    }

    private static string Reason(Random random)
    {
        var roll = random.NextDouble();
        for (var i = 0; i < Reasons.Length; i++)
        {
            roll -= ReasonWeights[i];
            if (roll < 0)
            {
                return Reasons[i];
            }
        }

        return Reasons[0];
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    private static List<Supplier> MakeSuppliers(Random random)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var suppliers = new List<Supplier>(Suppliers);
        while (suppliers.Count < Suppliers)
        {
            var first = First[random.Next(First.Length)];
            var name = $"{first} {Second[random.Next(Second.Length)]} {Suffix[random.Next(Suffix.Length)]}";
            if (!names.Add(name))
            {
                continue;
            }

            var code = first.Length >= 4 ? first[..4].ToUpperInvariant() : first.ToUpperInvariant();
            var id = $"{new[] { "DE", "NL", "FR", "GB", "ES", "IT" }[suppliers.Count % 6]}{random.Next(100_000_000, 999_999_999)}";
            suppliers.Add(new Supplier(name, id, code, random.Next(Automations)));
        }

        return suppliers;
    }

    /// <summary>An invoice as the kind keeps it, about 1 KB: what the rows of a real queue carry beside their summary.</summary>
    private static string Payload(Supplier supplier, string reference, decimal amount, string currency, DateOnly issued, Random random)
    {
        var lines = random.Next(2, 6);
        var lineAmount = decimal.Round(amount / lines, 2);
        return JsonSerializer.Serialize(new
        {
            format = "Ubl",
            invoice = new
            {
                number = reference,
                issueDate = issued,
                currency,
                documentType = "Invoice",
                supplier = new { name = supplier.Name, vatId = supplier.Id, street = $"Industriestrasse {random.Next(1, 200)}", city = "Hamburg", country = supplier.Id[..2] },
                buyer = new { name = "My Company", vatId = "DE123456789", reference = $"PO-{random.Next(10_000, 99_999)}" },
                lines = Enumerable.Range(1, lines).Select(l => new { id = l.ToString(CultureInfo.InvariantCulture), description = $"Item {random.Next(1000, 9999)} as ordered", quantity = 1, unitPrice = lineAmount, lineAmount, vatRate = 19 }).ToList(),
                taxExclusive = decimal.Round(amount / 1.19m, 2),
                payable = amount,
            },
            checks = new[] { new { code = "over-threshold", evidence = Array.Empty<string>() } },
        });
    }

    public async ValueTask DisposeAsync() => await Factory.DisposeAsync();

    private sealed record Supplier(string Name, string Id, string Code, int Automation);
}
