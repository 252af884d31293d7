using System.Globalization;

namespace AutomationPortal.Web.Features.Invoices;

/// <summary>A verification finding: a stable reason code and a sentence for people.</summary>
public sealed record InvoiceFinding(string Code, string Message);

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
