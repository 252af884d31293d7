using System.ComponentModel.DataAnnotations;
using AutomationPortal.Web.Infrastructure.Domain;

namespace AutomationPortal.Web.Infrastructure.Hosting;

public sealed class BootstrapOptions
{
    public const string Section = "Portal:Bootstrap";

    [Required, EmailAddress]
    public string AdminEmail { get; set; } = "admin@localhost";

    /// <summary>Unset: a password is generated on first start and printed once.</summary>
    public string? AdminPassword { get; set; }

    /// <summary>When set, an active Admin API key with exactly this value exists after every start.</summary>
    public string? AdminApiKey { get; set; }
}

public sealed class OrganisationOptions
{
    public const string Section = "Portal:Organisation";

    [Required, StringLength(200, MinimumLength = 1)]
    public string Name { get; set; } = "My Company";

    [Required, IsoCurrency]
    public string BaseCurrency { get; set; } = "EUR";

    [Required, IanaTimeZone]
    public string TimeZone { get; set; } = "Etc/UTC";
}

public sealed class DemoOptions
{
    public const string Section = "Portal:Demo";

    public bool Enabled { get; set; }

    /// <summary>Unset: the demo accounts get a fresh generated password at every demo start.</summary>
    public string? Password { get; set; }
}

[AttributeUsage(AttributeTargets.Property)]
public sealed class IsoCurrencyAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is string code && Currency.IsKnown(code)
            ? ValidationResult.Success
            : new ValidationResult($"'{value}' is not an ISO 4217 currency code (for example EUR, USD, GBP).", [validationContext.MemberName!]);
}

[AttributeUsage(AttributeTargets.Property)]
public sealed class IanaTimeZoneAttribute : ValidationAttribute
{
    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext) =>
        value is string id && TimeZones.IsIana(id)
            ? ValidationResult.Success
            : new ValidationResult($"'{value}' is not an IANA time zone id (for example Europe/Berlin, America/New_York, Etc/UTC).", [validationContext.MemberName!]);
}
