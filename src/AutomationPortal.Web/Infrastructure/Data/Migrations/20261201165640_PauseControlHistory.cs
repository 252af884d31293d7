using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutomationPortal.Web.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class PauseControlHistory : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Earlier records: every item's latest outcome is its completion or decision; quarantined items were
            // counted as failed, and now count apart; a paused automation's pause time is its last change.
            migrationBuilder.Sql("""UPDATE "WorkItems" SET "LastOutcomeAt" = COALESCE("CompletedAt", "DecidedAt", "ReceivedAt");""");
            migrationBuilder.Sql("""
                UPDATE "AutomationRuns" SET "ItemsQuarantined" = (SELECT COUNT(*) FROM "WorkItems" w WHERE w."RunId" = "AutomationRuns"."Id" AND w."Status" = 'Quarantined');
                """);
            migrationBuilder.Sql("""UPDATE "AutomationRuns" SET "ItemsFailed" = MAX("ItemsFailed" - "ItemsQuarantined", 0);""");
            migrationBuilder.Sql("""
                UPDATE "AutomationRuns" SET "Status" = 'Succeeded'
                WHERE ("Status" = 'PartiallySucceeded' OR ("Status" = 'Failed' AND "ItemsQuarantined" > 0)) AND "ItemsFailed" = 0 AND "Error" IS NULL;
                """);
            // A run's read count is what it read for the first time; what it had seen before is its skip count.
            migrationBuilder.Sql("""UPDATE "AutomationRuns" SET "ItemsRead" = MAX("ItemsRead" - "ItemsSkipped", 0);""");
            migrationBuilder.Sql("""UPDATE "Automations" SET "PausedAt" = "UpdatedAt" WHERE "State" IN ('Paused', 'AutoPaused');""");

        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {

        }
    }
}
