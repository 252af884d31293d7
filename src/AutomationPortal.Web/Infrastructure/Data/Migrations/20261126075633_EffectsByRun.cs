using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutomationPortal.Web.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class EffectsByRun : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "IX_Effects_RunId_Type",
                table: "Effects",
                columns: new[] { "RunId", "Type" });

            // Export lines are complete when their file's export-file entry exists; none is pending any more.
            migrationBuilder.Sql("UPDATE \"Effects\" SET \"Status\" = 'Applied' WHERE \"Status\" = 'Pending';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Effects_RunId_Type",
                table: "Effects");
        }
    }
}
