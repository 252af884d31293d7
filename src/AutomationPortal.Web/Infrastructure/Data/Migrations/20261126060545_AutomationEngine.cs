using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutomationPortal.Web.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class AutomationEngine : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Automations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Name = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    Settings = table.Column<string>(type: "TEXT", nullable: false),
                    SettingsVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    Schedule = table.Column<string>(type: "TEXT", maxLength: 120, nullable: false),
                    TimeZone = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    StateBeforePause = table.Column<string>(type: "TEXT", maxLength: 16, nullable: true),
                    ResumedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    MaxFailureRate = table.Column<decimal>(type: "TEXT", precision: 19, scale: 4, nullable: false),
                    FailureRateWindow = table.Column<int>(type: "INTEGER", nullable: false),
                    MaxConsecutiveFailedRuns = table.Column<int>(type: "INTEGER", nullable: false),
                    ImplementationCost = table.Column<decimal>(type: "TEXT", precision: 19, scale: 4, nullable: false),
                    MonthlyRunningCost = table.Column<decimal>(type: "TEXT", precision: 19, scale: 4, nullable: false),
                    CostCurrency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: false),
                    IsDemo = table.Column<bool>(type: "INTEGER", nullable: false),
                    OwnerId = table.Column<Guid>(type: "TEXT", nullable: true),
                    OwnerName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Automations", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Effects",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AutomationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkItemId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Type = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    IdempotencyKey = table.Column<string>(type: "TEXT", maxLength: 300, nullable: false),
                    Target = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Detail = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Effects", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "Alerts",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AutomationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Code = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Message = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    RaisedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    AcknowledgedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    AcknowledgedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Alerts", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Alerts_Automations_AutomationId",
                        column: x => x.AutomationId,
                        principalTable: "Automations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "AutomationRuns",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AutomationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Trigger = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Mode = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    SettingsVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    ScheduledFor = table.Column<DateTime>(type: "TEXT", nullable: true),
                    QueuedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    StartedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    EndedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Misfired = table.Column<bool>(type: "INTEGER", nullable: false),
                    SkipReason = table.Column<string>(type: "TEXT", maxLength: 500, nullable: true),
                    RequestedBy = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    ItemsRead = table.Column<int>(type: "INTEGER", nullable: false),
                    ItemsDone = table.Column<int>(type: "INTEGER", nullable: false),
                    ItemsEscalated = table.Column<int>(type: "INTEGER", nullable: false),
                    ItemsFailed = table.Column<int>(type: "INTEGER", nullable: false),
                    ItemsSkipped = table.Column<int>(type: "INTEGER", nullable: false),
                    Error = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AutomationRuns", x => x.Id);
                    table.ForeignKey(
                        name: "FK_AutomationRuns_Automations_AutomationId",
                        column: x => x.AutomationId,
                        principalTable: "Automations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "WorkItems",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    AutomationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Lane = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    SourceKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    LastRunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    Decision = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    ReasonCodes = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Payload = table.Column<string>(type: "TEXT", nullable: true),
                    OriginalRef = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    Error = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    ActionAttempts = table.Column<int>(type: "INTEGER", nullable: false),
                    ReceivedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    DecidedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    CompletedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ProcessingMs = table.Column<double>(type: "REAL", nullable: false),
                    SummaryReference = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    SummaryParty = table.Column<string>(type: "TEXT", maxLength: 300, nullable: true),
                    SummaryPartyId = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    SummaryAmount = table.Column<decimal>(type: "TEXT", precision: 19, scale: 4, nullable: true),
                    SummaryCurrency = table.Column<string>(type: "TEXT", maxLength: 3, nullable: true),
                    SummaryType = table.Column<string>(type: "TEXT", maxLength: 32, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_WorkItems", x => x.Id);
                    table.ForeignKey(
                        name: "FK_WorkItems_Automations_AutomationId",
                        column: x => x.AutomationId,
                        principalTable: "Automations",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "RunLogLines",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    RunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    Level = table.Column<string>(type: "TEXT", maxLength: 8, nullable: false),
                    Message = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RunLogLines", x => x.Id);
                    table.ForeignKey(
                        name: "FK_RunLogLines_AutomationRuns_RunId",
                        column: x => x.RunId,
                        principalTable: "AutomationRuns",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "Decisions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    RunId = table.Column<Guid>(type: "TEXT", nullable: true),
                    At = table.Column<DateTime>(type: "TEXT", nullable: false),
                    DecidedBy = table.Column<string>(type: "TEXT", maxLength: 24, nullable: false),
                    PersonId = table.Column<Guid>(type: "TEXT", nullable: true),
                    PersonName = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    Decision = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    ReasonCodes = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Note = table.Column<string>(type: "TEXT", maxLength: 4000, nullable: true),
                    HumanMinutes = table.Column<decimal>(type: "TEXT", precision: 19, scale: 4, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Decisions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Decisions_WorkItems_WorkItemId",
                        column: x => x.WorkItemId,
                        principalTable: "WorkItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "Escalations",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    WorkItemId = table.Column<Guid>(type: "TEXT", nullable: false),
                    AutomationId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Reasons = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    AssigneeId = table.Column<Guid>(type: "TEXT", nullable: true),
                    DueAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    ResolvedAt = table.Column<DateTime>(type: "TEXT", nullable: true),
                    Version = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Escalations", x => x.Id);
                    table.ForeignKey(
                        name: "FK_Escalations_WorkItems_WorkItemId",
                        column: x => x.WorkItemId,
                        principalTable: "WorkItems",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Alerts_AcknowledgedAt_RaisedAt",
                table: "Alerts",
                columns: new[] { "AcknowledgedAt", "RaisedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Alerts_AutomationId",
                table: "Alerts",
                column: "AutomationId");

            migrationBuilder.CreateIndex(
                name: "IX_AutomationRuns_AutomationId_QueuedAt",
                table: "AutomationRuns",
                columns: new[] { "AutomationId", "QueuedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AutomationRuns_AutomationId_ScheduledFor",
                table: "AutomationRuns",
                columns: new[] { "AutomationId", "ScheduledFor" });

            migrationBuilder.CreateIndex(
                name: "IX_AutomationRuns_Status",
                table: "AutomationRuns",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_Automations_Name",
                table: "Automations",
                column: "Name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Decisions_WorkItemId",
                table: "Decisions",
                column: "WorkItemId");

            migrationBuilder.CreateIndex(
                name: "IX_Effects_AutomationId_IdempotencyKey",
                table: "Effects",
                columns: new[] { "AutomationId", "IdempotencyKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Escalations_Status_CreatedAt",
                table: "Escalations",
                columns: new[] { "Status", "CreatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Escalations_WorkItemId",
                table: "Escalations",
                column: "WorkItemId");

            migrationBuilder.CreateIndex(
                name: "IX_RunLogLines_RunId_At",
                table: "RunLogLines",
                columns: new[] { "RunId", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkItems_AutomationId_Lane_SourceKey",
                table: "WorkItems",
                columns: new[] { "AutomationId", "Lane", "SourceKey" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_WorkItems_AutomationId_Status",
                table: "WorkItems",
                columns: new[] { "AutomationId", "Status" });

            migrationBuilder.CreateIndex(
                name: "IX_WorkItems_LastRunId",
                table: "WorkItems",
                column: "LastRunId");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Alerts");

            migrationBuilder.DropTable(
                name: "Decisions");

            migrationBuilder.DropTable(
                name: "Effects");

            migrationBuilder.DropTable(
                name: "Escalations");

            migrationBuilder.DropTable(
                name: "RunLogLines");

            migrationBuilder.DropTable(
                name: "WorkItems");

            migrationBuilder.DropTable(
                name: "AutomationRuns");

            migrationBuilder.DropTable(
                name: "Automations");
        }
    }
}
