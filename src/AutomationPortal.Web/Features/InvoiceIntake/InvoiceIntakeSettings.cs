using System.ComponentModel.DataAnnotations;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations;

namespace AutomationPortal.Web.Features.InvoiceIntake;

/// <summary>Settings of invoice intake. Every default is the initialiser here and in docs/automation-kinds.md.</summary>
public sealed class InvoiceIntakeSettings
{
    /// <summary>The watched folder; every top-level file in it is read, whatever its name. Relative to the data folder.</summary>
    [FolderSetting, Display(Name = "Inbox folder", Description = "The watched folder: every file in it is read, whatever its name. Relative to the data folder.")]
    public string InboxPath { get; set; } = "invoices/inbox";

    /// <summary>Where read files go; empty means the folder <c>archive</c> beside the inbox.</summary>
    [FolderSetting, Display(Name = "Archive folder", Description = "Where read files go. Empty: \"archive\" beside the inbox.")]
    public string? ArchivePath { get; set; }

    /// <summary>Where unreadable files go, with <c>&lt;name&gt;.error.txt</c>; empty means <c>quarantine</c> beside the inbox.</summary>
    [FolderSetting, Display(Name = "Quarantine folder", Description = "Where unreadable files go, with the reason beside each. Empty: \"quarantine\" beside the inbox.")]
    public string? QuarantinePath { get; set; }

    /// <summary>Each run writes its accounting export CSV here.</summary>
    [FolderSetting, Display(Name = "Export folder", Description = "Each run writes its accounting export (CSV) here.")]
    public string OutboxPath { get; set; } = "invoices/outbox";

    /// <summary>When set, each approved invoice is also POSTed here as JSON, with an Idempotency-Key header.</summary>
    [Display(Name = "Webhook address", Description = "When set, each approved invoice is also posted here as JSON, with an Idempotency-Key header. No credentials in the address: use the secret below.")]
    public string? WebhookUrl { get; set; }

    /// <summary>The header that carries <see cref="WebhookSecret"/> with each post, for example Authorization or X-Webhook-Token.</summary>
    [Display(Name = "Secret header", Description = "The header that carries the secret, for example Authorization or X-Webhook-Token.")]
    public string WebhookSecretHeader { get; set; } = "Authorization";

    /// <summary>
    /// The receiver's secret (for example "Bearer …"), sent in <see cref="WebhookSecretHeader"/>: stored encrypted, shown
    /// masked, never returned by the API. Keep credentials here, never in the address.
    /// </summary>
    [Display(Name = "Webhook secret", Description = "Sent in the secret header with each post (for example \"Bearer …\"). Stored encrypted and never shown again.")]
    [SecretSetting(BoundTo = nameof(WebhookUrl))]
    public string? WebhookSecret { get; set; }

    /// <summary>Invoices payable above this, in their own currency, go to a person (over-threshold).</summary>
    [Display(Name = "Review threshold", Description = "Invoices payable above this, in their own currency, go to a person.")]
    [Range(typeof(decimal), "0", "1000000000000")]
    public decimal ReviewThreshold { get; set; } = 5000m;

    /// <summary>Per-currency thresholds by ISO 4217 code, replacing <see cref="ReviewThreshold"/> for that currency.</summary>
    [Display(Name = "Review threshold per currency", Description = "A currency's own threshold replaces the one above for invoices in that currency.")]
    public Dictionary<string, decimal> ReviewThresholds { get; set; } = [];

    /// <summary>Escalate a supplier's first invoice (new-supplier).</summary>
    [Display(Name = "Escalate new suppliers", Description = "A supplier's first invoice goes to a person.")]
    public bool FlagNewSuppliers { get; set; } = true;

    /// <summary>An invoice above this many times the median of the supplier's recent invoices is unusual.</summary>
    [Display(Name = "Unusual amount factor", Description = "An invoice above this many times the median of the supplier's recent invoices is unusual.")]
    [Range(typeof(decimal), "1", "1000")]
    public decimal UnusualFactor { get; set; } = 3m;

    /// <summary>How many of the supplier's latest invoices make that median (at least 3 are needed to judge).</summary>
    [Display(Name = "Invoices for the median", Description = "How many of the supplier's latest invoices make that median (at least 3 are needed to judge).")]
    [Range(3, InvoiceHistory.EvidenceWindow)]
    public int UnusualHistory { get; set; } = 10;

    /// <summary>Invoices with more lines than this are quarantined with the reason (too-many-lines) while they are read.</summary>
    [Display(Name = "Most lines per invoice", Description = "Invoices with more lines are quarantined with the reason.")]
    [Range(1, 1_000_000)]
    public int MaxLines { get; set; } = Reading.InvoiceReaderOptions.DefaultMaxLines;

    /// <summary>Files larger than this are quarantined unread.</summary>
    [Display(Name = "Largest file (bytes)", Description = "Larger files are quarantined unread; larger uploads are refused.")]
    [Range(1L, 104_857_600L)]
    public long MaxFileBytes { get; set; } = 20 * 1024 * 1024;
}
