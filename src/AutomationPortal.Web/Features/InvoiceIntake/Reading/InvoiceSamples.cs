namespace AutomationPortal.Web.Features.InvoiceIntake.Reading;

/// <summary>Consistent invoices made up by the project, for tests on a fresh clone and for demo mode.</summary>
public static class InvoiceSamples
{
    private static readonly (string Name, string Vat, string Endpoint)[] Suppliers =
    [
        ("Nordlicht Bürobedarf GmbH", "DE129273398", "4000001000005"),
        ("Atelier Lefèvre SARL", "FR40303265045", "3015000000006"),
        ("Van Dijk Logistics B.V.", "NL810432357B01", "8712345000004"),
    ];

    /// <summary>A valid invoice: totals, VAT breakdown and lines agree as EN 16931 requires.</summary>
    public static Invoice Create(int seed, InvoiceDocumentType type = InvoiceDocumentType.Invoice, string currency = "EUR")
    {
        var random = new Random(seed);
        var supplier = Suppliers[seed % Suppliers.Length];
        var lines = new List<InvoiceLine>();
        for (var i = 1; i <= random.Next(1, 6); i++)
        {
            var quantity = random.Next(1, 20);
            var price = decimal.Round((decimal)(random.NextDouble() * 200 + 1), 2);
            var rate = i % 3 == 0 ? 7m : 19m;
            lines.Add(new InvoiceLine(i.ToString(System.Globalization.CultureInfo.InvariantCulture), quantity, "C62", price, quantity * price, "S", rate));
        }

        var allowance = seed % 2 == 0 ? decimal.Round(lines[0].NetAmount!.Value * 0.05m, 2) : 0m;
        var allowances = allowance > 0 ? new List<InvoiceAllowanceCharge> { new(false, allowance, "Loyalty discount", "S", lines[0].VatRate) } : [];
        var breakdown = lines.GroupBy(l => l.VatRate!.Value).Select(g =>
        {
            var taxable = g.Sum(l => l.NetAmount!.Value) - allowances.Where(a => a.VatRate == g.Key).Sum(a => a.Amount);
            return new InvoiceVatBreakdown("S", g.Key, taxable, decimal.Round(taxable * g.Key / 100m, 2, MidpointRounding.AwayFromZero));
        }).ToList();
        var lineTotal = lines.Sum(l => l.NetAmount!.Value);
        var exclusive = lineTotal - allowance;
        var tax = breakdown.Sum(b => b.TaxAmount!.Value);
        var issued = new DateOnly(2026, 1, 1).AddDays(seed % 300);
        return new Invoice(
            InvoiceFormat.Json,
            type,
            $"INV-{2026}-{seed:00000}",
            issued,
            issued.AddDays(30),
            currency,
            null,
            new InvoiceParty(supplier.Name, supplier.Vat, supplier.Endpoint, null),
            new InvoiceParty("AutomationPortal Demo Ltd", "GB123456789", "buyer@demo.local", null),
            lines,
            allowances,
            breakdown,
            new InvoiceTotals(lineTotal, allowance > 0 ? allowance : null, null, exclusive, tax, null, exclusive + tax, null, null, exclusive + tax),
            []);
    }
}
