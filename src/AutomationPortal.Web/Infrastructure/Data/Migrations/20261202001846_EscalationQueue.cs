using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutomationPortal.Web.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class EscalationQueue : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "AssigneeName",
                table: "Escalations",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "ClaimedAt",
                table: "Escalations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "DeferredUntil",
                table: "Escalations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ResolvedById",
                table: "Escalations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "Override",
                table: "Decisions",
                type: "INTEGER",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<string>(
                name: "Reason",
                table: "Decisions",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "OverrideWindowDays",
                table: "Automations",
                type: "INTEGER",
                nullable: false,
                defaultValue: 30);

            // Shadow items never wait in the queue: people handle shadow input by hand. Earlier versions queued them.
            migrationBuilder.Sql("""DELETE FROM "Escalations" WHERE "WorkItemId" IN (SELECT "Id" FROM "WorkItems" WHERE "Lane" = 'Shadow')""");

            // Items resolved before the queue had holders: the person who decided them resolved them.
            migrationBuilder.Sql("""UPDATE "Escalations" SET "ResolvedById" = "AssigneeId" WHERE "Status" = 'Resolved' AND "ResolvedById" IS NULL""");

            migrationBuilder.CreateTable(
                name: "ItemEvents",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    EscalationId = table.Column<Guid>(type: "TEXT", nullable: true),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    ActorId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ActorName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    AssigneeId = table.Column<Guid>(type: "TEXT", nullable: true),
                    AssigneeName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Text = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    Until = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ItemEvents", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ItemEvents_WorkItems_WorkItemId",
                        column: x => x.WorkItemId,
                        principalTable: "WorkItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_WorkItems_SummaryPartyId_ReceivedAt",
                table: "WorkItems",
                columns: new[] { "SummaryPartyId", "ReceivedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Escalations_AssigneeId_Status",
                table: "Escalations",
                columns: new[] { "AssigneeId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Escalations_AutomationId_Status",
                table: "Escalations",
                columns: new[] { "AutomationId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_Escalations_Status_DeferredUntil",
                table: "Escalations",
                columns: new[] { "Status", "DeferredUntil" });

            migrationBuilder.CreateIndex(
                name: "IX_Escalations_Status_ResolvedAt",
                table: "Escalations",
                columns: new[] { "Status", "ResolvedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_ItemEvents_WorkItemId_At",
                table: "ItemEvents",
                columns: new[] { "WorkItemId", "At" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ItemEvents");

            migrationBuilder.DropIndex(
                name: "IX_WorkItems_SummaryPartyId_ReceivedAt",
                table: "WorkItems");

            migrationBuilder.DropIndex(
                name: "IX_Escalations_AssigneeId_Status",
                table: "Escalations");

            migrationBuilder.DropIndex(
                name: "IX_Escalations_AutomationId_Status",
                table: "Escalations");

            migrationBuilder.DropIndex(
                name: "IX_Escalations_Status_DeferredUntil",
                table: "Escalations");

            migrationBuilder.DropIndex(
                name: "IX_Escalations_Status_ResolvedAt",
                table: "Escalations");

            migrationBuilder.DropColumn(
                name: "AssigneeName",
                table: "Escalations");

            migrationBuilder.DropColumn(
                name: "ClaimedAt",
                table: "Escalations");

            migrationBuilder.DropColumn(
                name: "DeferredUntil",
                table: "Escalations");

            migrationBuilder.DropColumn(
                name: "ResolvedById",
                table: "Escalations");

            migrationBuilder.DropColumn(
                name: "Override",
                table: "Decisions");

            migrationBuilder.DropColumn(
                name: "Reason",
                table: "Decisions");

            migrationBuilder.DropColumn(
                name: "OverrideWindowDays",
                table: "Automations");
        }
    }
}
