using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutomationPortal.Web.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class PauseControl : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTime>(
                name: "LastOutcomeAt",
                table: "WorkItems",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "EmergencyStopId",
                table: "Automations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<DateTime>(
                name: "GuardrailsSince",
                table: "Automations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "MaxQuarantineRate",
                table: "Automations",
                type: "TEXT",
                precision: 19,
                scale: 4,
                nullable: false,
                defaultValue: 0.5m);

            migrationBuilder.AddColumn<DateTime>(
                name: "PausedAt",
                table: "Automations",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PausedBy",
                table: "Automations",
                type: "TEXT",
                maxLength: 256,
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "QuarantineRateWindow",
                table: "Automations",
                type: "INTEGER",
                nullable: false,
                defaultValue: 20);

            migrationBuilder.AddColumn<int>(
                name: "ItemsQuarantined",
                table: "AutomationRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<int>(
                name: "ItemsRetried",
                table: "AutomationRuns",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<string>(
                name: "StopReason",
                table: "AutomationRuns",
                type: "TEXT",
                maxLength: 500,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "EmergencyStops",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    PausedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    AutomationsPaused = table.Column<int>(type: "INTEGER", nullable: false),
                    ResumedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ResumedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_EmergencyStops", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_WorkItems_AutomationId_Lane_LastOutcomeAt",
                table: "WorkItems",
                columns: new[] { "AutomationId", "Lane", "LastOutcomeAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Automations_EmergencyStopId",
                table: "Automations",
                column: "EmergencyStopId");

            migrationBuilder.CreateIndex(
                name: "IX_EmergencyStops_ResumedAt",
                table: "EmergencyStops",
                column: "ResumedAt");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "EmergencyStops");

            migrationBuilder.DropIndex(
                name: "IX_WorkItems_AutomationId_Lane_LastOutcomeAt",
                table: "WorkItems");

            migrationBuilder.DropIndex(
                name: "IX_Automations_EmergencyStopId",
                table: "Automations");

            migrationBuilder.DropColumn(
                name: "LastOutcomeAt",
                table: "WorkItems");

            migrationBuilder.DropColumn(
                name: "EmergencyStopId",
                table: "Automations");

            migrationBuilder.DropColumn(
                name: "GuardrailsSince",
                table: "Automations");

            migrationBuilder.DropColumn(
                name: "MaxQuarantineRate",
                table: "Automations");

            migrationBuilder.DropColumn(
                name: "PausedAt",
                table: "Automations");

            migrationBuilder.DropColumn(
                name: "PausedBy",
                table: "Automations");

            migrationBuilder.DropColumn(
                name: "QuarantineRateWindow",
                table: "Automations");

            migrationBuilder.DropColumn(
                name: "ItemsQuarantined",
                table: "AutomationRuns");

            migrationBuilder.DropColumn(
                name: "ItemsRetried",
                table: "AutomationRuns");

            migrationBuilder.DropColumn(
                name: "StopReason",
                table: "AutomationRuns");
        }
    }
}
