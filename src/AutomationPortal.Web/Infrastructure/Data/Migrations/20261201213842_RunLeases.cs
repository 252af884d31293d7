using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutomationPortal.Web.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class RunLeases : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "RunLeases",
                columns: table => new
                {
                    Group = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    HolderRunId = table.Column<Guid>(type: "TEXT", nullable: false),
                    HolderNode = table.Column<string>(type: "TEXT", maxLength: 256, nullable: false),
                    AcquiredAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    ExpiresAt = table.Column<DateTime>(type: "TEXT", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_RunLeases", x => x.Group);
                });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "RunLeases");
        }
    }
}
