using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace AutomationPortal.Web.Features.Users;

/// <summary>A person who signs in. Never deleted: deactivated instead, so audit history keeps its names.</summary>
public sealed class PortalUser : IdentityUser<Guid>, IVersioned, ITimestamped
{
    public PortalUser()
    {
        Id = Guid.CreateVersion7();
        SecurityStamp = Guid.NewGuid().ToString("N");
    }

    public string DisplayName { get; set; } = "";

    public DateTime CreatedAt { get; set; }

    public DateTime UpdatedAt { get; set; }

    public DateTime? DeactivatedAt { get; set; }

    public DateTime? LastSignInAt { get; set; }

    public bool IsActive => DeactivatedAt is null;

    public long Version { get; set; }
}

internal sealed class PortalUserConfiguration : IEntityTypeConfiguration<PortalUser>
{
    public void Configure(EntityTypeBuilder<PortalUser> builder)
    {
        builder.Property(u => u.DisplayName).HasMaxLength(200);
        builder.Ignore(u => u.IsActive);
    }
}
