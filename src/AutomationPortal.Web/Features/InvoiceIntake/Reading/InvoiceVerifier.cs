using System.Globalization;

namespace AutomationPortal.Web.Features.InvoiceIntake.Reading;

/// <summary>A verification finding: a stable reason code and a sentence for people.</summary>
public sealed record InvoiceFinding(string Code, string Message);

public enum RuleOutcome
{
    Passed,
    Failed,
    /// <summary>The document does not state what the rule checks (for example no allowances).</summary>
    NotApplicable,
}

/// <summary>One rule of the verification, as the invoice view lists them: what it checks and how it came out.</summary>
public sealed record RuleResult(string Code, string Title, RuleOutcome Outcome, string? Message);

/// <summary>
/// EN 16931's calculation rules BR-CO-10 to BR-CO-17, as the CEN/TC 434 validation artefacts (1.3.x) implement them:
/// sums compared after rounding to two decimals; a category's tax may differ from taxable × rate by less than one
/// unit. Plus the mandatory fields the portal needs (number, issue date, currency, supplier, payable amount).
/// Nothing else produces an arithmetic finding.
/// </summary>
public static class InvoiceVerifier
{
    public static IReadOnlyList<InvoiceFinding> Verify(Invoice invoice)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        var findings = new List<InvoiceFinding>();
        Missing(findings, "number", invoice.Number is { Length: > 0 }, "The invoice number (BT-1) is missing.");
        Missing(findings, "issue-date", invoice.IssueDate is not null, "The issue date (BT-2) is missing.");
        Missing(findings, "currency", invoice.Currency is { Length: > 0 }, "The invoice currency (BT-5) is missing.");
        Missing(findings, "supplier", invoice.Supplier.Name is { Length: > 0 }, "The seller's name (BT-27) is missing.");
        Missing(findings, "payable", invoice.Totals.Payable is not null, "The amount due for payment (BT-115) is missing.");

        var t = invoice.Totals;
        if (t.LineTotal is { } lineTotal)
        {
            var sum = R(invoice.Lines.Sum(l => l.NetAmount ?? 0m));
            Check(findings, "BR-CO-10", lineTotal == sum, $"The sum of line net amounts is {F(sum)} but the invoice states {F(lineTotal)}.");
        }

        if (t.AllowanceTotal is { } allowanceTotal)
        {
            var sum = R(invoice.AllowancesCharges.Where(a => !a.IsCharge).Sum(a => a.Amount));
            Check(findings, "BR-CO-11", allowanceTotal == sum, $"The document allowances add up to {F(sum)} but the allowance total is {F(allowanceTotal)}.");
        }

        if (t.ChargeTotal is { } chargeTotal)
        {
            var sum = R(invoice.AllowancesCharges.Where(a => a.IsCharge).Sum(a => a.Amount));
            Check(findings, "BR-CO-12", chargeTotal == sum, $"The document charges add up to {F(sum)} but the charge total is {F(chargeTotal)}.");
        }

        if (t.TaxExclusive is { } exclusive && t.LineTotal is { } lines)
        {
            var expected = R(lines - (t.AllowanceTotal ?? 0m) + (t.ChargeTotal ?? 0m));
            Check(findings, "BR-CO-13", exclusive == expected, $"Line total − allowances + charges is {F(expected)} but the total without VAT is {F(exclusive)}.");
        }

        if (t.TaxTotalsInDocumentCurrency > 1)
        {
            var twice = $"The VAT total is stated {t.TaxTotalsInDocumentCurrency} times in the invoice currency; it must be stated once.";
            Check(findings, "BR-CO-14", false, twice);
            Check(findings, "BR-CO-15", false, twice);
        }
        else if (t.TaxTotal is { } tax)
        {
            var sum = R(invoice.VatBreakdown.Sum(v => v.TaxAmount ?? 0m));
            Check(findings, "BR-CO-14", tax == sum, $"The VAT of the categories adds up to {F(sum)} but the VAT total is {F(tax)}.");
        }

        if (t.TaxTotalsInDocumentCurrency <= 1 && t.TaxInclusive is { } inclusive && t.TaxExclusive is { } withoutVat)
        {
            var expected = R(withoutVat + (t.TaxTotal ?? 0m));
            Check(findings, "BR-CO-15", inclusive == expected, $"Total without VAT + VAT is {F(expected)} but the total with VAT is {F(inclusive)}.");
        }

        if (t.Payable is { } payable && t.TaxInclusive is { } withVat)
        {
            var expected = R(withVat - (t.Prepaid ?? 0m) + (t.Rounding ?? 0m));
            Check(findings, "BR-CO-16", payable == expected, $"Total with VAT − prepaid + rounding is {F(expected)} but the amount due is {F(payable)}.");
        }

        foreach (var vat in invoice.VatBreakdown)
        {
            if (vat is { TaxableAmount: { } taxable, Rate: { } rate, TaxAmount: { } categoryTax })
            {
                var expected = R(taxable * rate / 100m);
                Check(findings, "BR-CO-17", Math.Abs(categoryTax - expected) < 1m,
                    $"VAT category {vat.Category} at {rate.ToString(CultureInfo.InvariantCulture)} %: {F(taxable)} × rate is {F(expected)} but the category VAT is {F(categoryTax)}.");
            }
        }

        return findings;
    }

    /// <summary>What each rule checks, in the order the invoice view lists them.</summary>
    public static IReadOnlyList<(string Code, string Title)> Rules { get; } =
    [
        ("missing:number", "The invoice number is stated (BT-1)"),
        ("missing:issue-date", "The issue date is stated (BT-2)"),
        ("missing:currency", "The invoice currency is stated (BT-5)"),
        ("missing:supplier", "The seller is named (BT-27)"),
        ("missing:payable", "The amount due is stated (BT-115)"),
        ("arithmetic:BR-CO-10", "Line total = sum of the line net amounts"),
        ("arithmetic:BR-CO-11", "Allowance total = sum of the document allowances"),
        ("arithmetic:BR-CO-12", "Charge total = sum of the document charges"),
        ("arithmetic:BR-CO-13", "Total without VAT = line total − allowances + charges"),
        ("arithmetic:BR-CO-14", "VAT total = sum of the VAT of each category"),
        ("arithmetic:BR-CO-15", "Total with VAT = total without VAT + VAT total"),
        ("arithmetic:BR-CO-16", "Amount due = total with VAT − prepaid + rounding"),
        ("arithmetic:BR-CO-17", "Each category's VAT = its taxable amount × its rate"),
    ];

    /// <summary>Every rule with its outcome for this invoice, given the findings <see cref="Verify"/> returned for it.</summary>
    public static IReadOnlyList<RuleResult> Explain(Invoice invoice, IReadOnlyList<InvoiceFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(invoice);
        ArgumentNullException.ThrowIfNull(findings);
        var t = invoice.Totals;
        return Rules.Select(rule =>
        {
            var failed = findings.Where(f => f.Code == rule.Code).Select(f => f.Message).ToList();
            if (failed.Count > 0)
            {
                return new RuleResult(rule.Code, rule.Title, RuleOutcome.Failed, string.Join(" ", failed));
            }

            var applies = rule.Code switch
            {
                "arithmetic:BR-CO-10" => t.LineTotal is not null,
                "arithmetic:BR-CO-11" => t.AllowanceTotal is not null,
                "arithmetic:BR-CO-12" => t.ChargeTotal is not null,
                "arithmetic:BR-CO-13" => t.TaxExclusive is not null && t.LineTotal is not null,
                "arithmetic:BR-CO-14" => t.TaxTotal is not null,
                "arithmetic:BR-CO-15" => t.TaxInclusive is not null && t.TaxExclusive is not null,
                "arithmetic:BR-CO-16" => t.Payable is not null && t.TaxInclusive is not null,
                "arithmetic:BR-CO-17" => invoice.VatBreakdown.Any(v => v is { TaxableAmount: not null, Rate: not null, TaxAmount: not null }),
                _ => true,
            };
            return new RuleResult(rule.Code, rule.Title, applies ? RuleOutcome.Passed : RuleOutcome.NotApplicable, applies ? null : "Not stated in this document: nothing to check.");
        }).ToList();
    }

    private static decimal R(decimal value) => decimal.Round(value, 2, MidpointRounding.AwayFromZero);

    private static string F(decimal value) => value.ToString("0.00##", CultureInfo.InvariantCulture);

    private static void Check(List<InvoiceFinding> findings, string rule, bool ok, string message)
    {
        if (!ok)
        {
            findings.Add(new InvoiceFinding($"arithmetic:{rule}", message));
        }
    }

    private static void Missing(List<InvoiceFinding> findings, string field, bool present, string message)
    {
        if (!present)
        {
            findings.Add(new InvoiceFinding($"missing:{field}", message));
        }
    }
}
