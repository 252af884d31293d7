using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutomationPortal.Web.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class EscalationQueueIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<decimal>(
                name: "Amount",
                table: "Escalations",
                type: "TEXT",
                precision: 19,
                scale: 4,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Party",
                table: "Escalations",
                type: "TEXT",
                maxLength: 300,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PartyId",
                table: "Escalations",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Reference",
                table: "Escalations",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Escalations_Open_CreatedAt",
                table: "Escalations",
                columns: new[] { "CreatedAt", "Id" },
                filter: "\"Status\" <> 'Resolved'");

            migrationBuilder.CreateIndex(
                name: "IX_Escalations_Open_Party",
                table: "Escalations",
                columns: new[] { "Party", "Id" },
                filter: "\"Status\" <> 'Resolved'");

            migrationBuilder.CreateIndex(
                name: "IX_Escalations_Open_Reference",
                table: "Escalations",
                columns: new[] { "Reference", "Id" },
                filter: "\"Status\" <> 'Resolved'");

            migrationBuilder.CreateIndex(
                name: "IX_Escalations_Open_Status_AssigneeId",
                table: "Escalations",
                columns: new[] { "Status", "AssigneeId" },
                filter: "\"Status\" <> 'Resolved'");

            // The escalations there are take their item's summary.
            migrationBuilder.Sql("""
                UPDATE "Escalations" SET ("Reference", "Party", "PartyId", "Amount") =
                    (SELECT w."SummaryReference", w."SummaryParty", w."SummaryPartyId", w."SummaryAmount" FROM "WorkItems" AS w WHERE w."Id" = "Escalations"."WorkItemId")
                """);

            // Amounts are decimals kept as text: the queue compares and sorts them as numbers, the index the same way.
            migrationBuilder.Sql("""
                CREATE INDEX "IX_Escalations_Open_Amount" ON "Escalations" (CAST("Amount" AS REAL), "Id") WHERE "Status" <> 'Resolved'
                """);

            // The queue's search by reference and party: a trigram index over the escalations' own columns (no second copy).
            migrationBuilder.Sql("""
                CREATE VIRTUAL TABLE "EscalationSearch" USING fts5("Reference", "Party", content='Escalations', tokenize='trigram')
                """);
            migrationBuilder.Sql("""INSERT INTO "EscalationSearch"("EscalationSearch") VALUES ('rebuild')""");

            // A new escalation: into the search index, and its item's summary copied unless its writer gave it (the engine
            // does). Indexed first, so the copy's update below replaces exactly what was indexed.
            migrationBuilder.Sql("""
                CREATE TRIGGER "Escalations_Summary_Insert" AFTER INSERT ON "Escalations"
                BEGIN
                    INSERT INTO "EscalationSearch"(rowid, "Reference", "Party") VALUES (NEW.rowid, NEW."Reference", NEW."Party");
                    UPDATE "Escalations" SET ("Reference", "Party", "PartyId", "Amount") =
                        (SELECT w."SummaryReference", w."SummaryParty", w."SummaryPartyId", w."SummaryAmount" FROM "WorkItems" AS w WHERE w."Id" = NEW."WorkItemId")
                    WHERE rowid = NEW.rowid AND NEW."Reference" IS NULL AND NEW."Party" IS NULL AND NEW."PartyId" IS NULL AND NEW."Amount" IS NULL;
                END
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Escalations_Summary_Update" AFTER UPDATE OF "Reference", "Party" ON "Escalations"
                WHEN OLD."Reference" IS NOT NEW."Reference" OR OLD."Party" IS NOT NEW."Party"
                BEGIN
                    INSERT INTO "EscalationSearch"("EscalationSearch", rowid, "Reference", "Party") VALUES ('delete', OLD.rowid, OLD."Reference", OLD."Party");
                    INSERT INTO "EscalationSearch"(rowid, "Reference", "Party") VALUES (NEW.rowid, NEW."Reference", NEW."Party");
                END
                """);
            migrationBuilder.Sql("""
                CREATE TRIGGER "Escalations_Summary_Delete" AFTER DELETE ON "Escalations"
                BEGIN
                    INSERT INTO "EscalationSearch"("EscalationSearch", rowid, "Reference", "Party") VALUES ('delete', OLD.rowid, OLD."Reference", OLD."Party");
                END
                """);

            // A corrected item (correct and approve) corrects its escalations' copy too.
            migrationBuilder.Sql("""
                CREATE TRIGGER "WorkItems_Summary_Escalations" AFTER UPDATE OF "SummaryReference", "SummaryParty", "SummaryPartyId", "SummaryAmount" ON "WorkItems"
                BEGIN
                    UPDATE "Escalations" SET ("Reference", "Party", "PartyId", "Amount") = (NEW."SummaryReference", NEW."SummaryParty", NEW."SummaryPartyId", NEW."SummaryAmount")
                    WHERE "WorkItemId" = NEW."Id";
                END
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("""DROP TRIGGER "WorkItems_Summary_Escalations" """);
            migrationBuilder.Sql("""DROP TRIGGER "Escalations_Summary_Delete" """);
            migrationBuilder.Sql("""DROP TRIGGER "Escalations_Summary_Update" """);
            migrationBuilder.Sql("""DROP TRIGGER "Escalations_Summary_Insert" """);
            migrationBuilder.Sql("""DROP TABLE "EscalationSearch" """);
            migrationBuilder.Sql("""DROP INDEX "IX_Escalations_Open_Amount" """);

            migrationBuilder.DropIndex(
                name: "IX_Escalations_Open_CreatedAt",
                table: "Escalations");

            migrationBuilder.DropIndex(
                name: "IX_Escalations_Open_Party",
                table: "Escalations");

            migrationBuilder.DropIndex(
                name: "IX_Escalations_Open_Reference",
                table: "Escalations");

            migrationBuilder.DropIndex(
                name: "IX_Escalations_Open_Status_AssigneeId",
                table: "Escalations");

            migrationBuilder.DropColumn(
                name: "Amount",
                table: "Escalations");

            migrationBuilder.DropColumn(
                name: "Party",
                table: "Escalations");

            migrationBuilder.DropColumn(
                name: "PartyId",
                table: "Escalations");

            migrationBuilder.DropColumn(
                name: "Reference",
                table: "Escalations");
        }
    }
}
