using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace AutomationPortal.Web.Infrastructure.Data.Migrations
{
    /// <inheritdoc />
    public partial class ActionFailedStatus : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The engine's status names no kind: an act step that failed is ActionFailed, whatever the kind acts on.
            migrationBuilder.Sql("UPDATE \"WorkItems\" SET \"Status\" = 'ActionFailed' WHERE \"Status\" = 'PostingFailed';");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("UPDATE \"WorkItems\" SET \"Status\" = 'PostingFailed' WHERE \"Status\" = 'ActionFailed';");
        }
    }
}
