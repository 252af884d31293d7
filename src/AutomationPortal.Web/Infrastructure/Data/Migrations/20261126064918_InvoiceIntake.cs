using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutomationPortal.Web.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class InvoiceIntake : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "ContentKey",
                table: "WorkItems",
                type: "TEXT",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<DateOnly>(
                name: "SummaryDate",
                table: "WorkItems",
                type: "TEXT",
                nullable: true);

            // The act step's failure is named for what it is: posting.
            migrationBuilder.Sql("UPDATE \"WorkItems\" SET \"Status\" = 'PostingFailed' WHERE \"Status\" = 'ActionFailed';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE \"WorkItems\" SET \"Status\" = 'ActionFailed' WHERE \"Status\" = 'PostingFailed';");

            migrationBuilder.DropColumn(
                name: "ContentKey",
                table: "WorkItems");

            migrationBuilder.DropColumn(
                name: "SummaryDate",
                table: "WorkItems");
        }
    }
}
