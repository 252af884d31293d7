using System.Security.Cryptography;
using System.Text;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Domain;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Features.ApiKeys;

public sealed record ApiKeySummary(Guid Id, string Name, Role Role, string Prefix, string CreatedBy, DateTime CreatedAt, DateTime? LastUsedAt, bool Active, DateTime? DeactivatedAt, long Version);

/// <summary>The answer to creating a key: the only time the key itself is shown.</summary>
public sealed record CreatedApiKey(Guid Id, string Name, Role Role, string Key);

/// <summary>A key request the portal refused; the API answers it under the field "name".</summary>
public sealed class ApiKeyException(string message) : PortalValidationException("name", message);

public sealed class ApiKeyService(PortalDbContext db, CurrentActor actor, TimeProvider time)
{
    public const string KeyPrefix = "apk_";
    public const int MaxNameLength = 100;

    public static string Hash(string key) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string NewKey() =>
        KeyPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public async Task<CreatedApiKey> CreateAsync(string? name, Role role, CancellationToken cancellationToken = default)
    {
        var trimmed = name?.Trim() ?? "";
        if (trimmed.Length is 0 or > MaxNameLength)
        {
            throw new ApiKeyException($"Give the key a name of 1 to {MaxNameLength} characters that says who uses it, for example \"Accounting export script\".");
        }

        if (!Enum.IsDefined(role))
        {
            throw new ApiKeyException($"Role must be one of {string.Join(", ", Roles.All)}.");
        }

        var key = NewKey();
        var entity = new ApiKey
        {
            Name = trimmed,
            Role = role,
            KeyHash = Hash(key),
            Prefix = key[..(KeyPrefix.Length + 6)],
            CreatedBy = (await actor.GetAsync()).Name,
        };
        db.ApiKeys.Add(entity);
        await db.SaveChangesAsync(cancellationToken);
        return new CreatedApiKey(entity.Id, entity.Name, entity.Role, key);
    }

    public async Task<IReadOnlyList<ApiKeySummary>> ListAsync(CancellationToken cancellationToken = default) =>
        await db.ApiKeys.AsNoTracking()
            .OrderBy(k => k.DeactivatedAt != null).ThenBy(k => k.Name)
            .Select(k => new ApiKeySummary(k.Id, k.Name, k.Role, k.Prefix, k.CreatedBy, k.CreatedAt, k.LastUsedAt, k.DeactivatedAt == null, k.DeactivatedAt, k.Version))
            .ToListAsync(cancellationToken);

    /// <summary>Deactivates a key; it stops working at the next request. Returns false when no such key exists.</summary>
    public async Task<bool> DeactivateAsync(Guid id, CancellationToken cancellationToken = default)
    {
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.Id == id, cancellationToken);
        if (key is null)
        {
            return false;
        }

        if (key.IsActive)
        {
            key.DeactivatedAt = time.GetUtcNow().UtcDateTime;
            key.DeactivatedBy = (await actor.GetAsync()).Name;
            await db.SaveChangesAsync(cancellationToken);
        }

        return true;
    }

    /// <summary>The active key with this value, or null. Records when it was last used, at most once a minute.</summary>
    public async Task<ApiKey?> AuthenticateAsync(string presented, CancellationToken cancellationToken = default)
    {
        var hash = Hash(presented);
        var key = await db.ApiKeys.AsNoTracking().FirstOrDefaultAsync(k => k.KeyHash == hash && k.DeactivatedAt == null, cancellationToken);
        if (key is null)
        {
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (key.LastUsedAt is null || now - key.LastUsedAt > TimeSpan.FromMinutes(1))
        {
            // A bare update: last-use is bookkeeping, not a change anyone makes, so it is neither versioned nor audited.
            await db.ApiKeys.Where(k => k.Id == key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), cancellationToken);
        }

        return key;
    }

    /// <summary>
    /// Makes sure an active Admin key with exactly this value exists (scripted setups). Repeated calls change nothing.
    /// </summary>
    public async Task EnsureBootstrapKeyAsync(string value, CancellationToken cancellationToken = default)
    {
        var hash = Hash(value);
        var key = await db.ApiKeys.FirstOrDefaultAsync(k => k.KeyHash == hash, cancellationToken);
        if (key is null)
        {
            db.ApiKeys.Add(new ApiKey
            {
                Name = "Bootstrap admin key",
                Role = Role.Admin,
                KeyHash = hash,
                Prefix = value.Length > 10 ? value[..6] + "…" : "…",
                CreatedBy = "Portal:Bootstrap:AdminApiKey",
            });
        }
        else
        {
            if (key.Role != Role.Admin)
            {
                key.Role = Role.Admin;
            }

            if (!key.IsActive)
            {
                key.DeactivatedAt = null;
                key.DeactivatedBy = null;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
    }
}
