namespace AutomationPortal.Web.Features.InvoiceIntake.Reading;

/// <summary>Collects what the format handlers find and builds the invoice.</summary>
internal sealed class InvoiceBuilder
{
    public InvoiceDocumentType DocumentType { get; set; } = InvoiceDocumentType.Invoice;

    public string? Number { get; set; }

    public DateOnly? IssueDate { get; set; }

    public DateOnly? DueDate { get; set; }

    public string? Currency { get; set; }

    public string? TaxCurrency { get; set; }

    public PartyBuilder Supplier { get; } = new();

    public PartyBuilder Buyer { get; } = new();

    public List<InvoiceLine> Lines { get; } = [];

    /// <summary>The most lines read; one more refuses the document while it is read.</summary>
    public int MaxLines { get; init; } = InvoiceReaderOptions.DefaultMaxLines;

    public void AddLine(InvoiceLine line)
    {
        if (Lines.Count >= MaxLines)
        {
            throw InvoiceLimits.TooManyLines(MaxLines);
        }

        Lines.Add(line);
    }

    public List<InvoiceAllowanceCharge> AllowancesCharges { get; } = [];

    public List<InvoiceVatBreakdown> VatBreakdown { get; } = [];

    public List<InvoiceAttachment> Attachments { get; } = [];

    public decimal? LineTotal { get; set; }

    public decimal? AllowanceTotal { get; set; }

    public decimal? ChargeTotal { get; set; }

    public decimal? TaxExclusive { get; set; }

    public List<(string? Currency, decimal Amount)> TaxTotals { get; } = [];

    public decimal? TaxInclusive { get; set; }

    public decimal? Prepaid { get; set; }

    public decimal? Rounding { get; set; }

    public decimal? Payable { get; set; }

    public Invoice Build(InvoiceFormat format)
    {
        // The tax total in the document currency (BT-110); a second one in the VAT accounting currency (BT-111).
        decimal? tax = null;
        decimal? accountingTax = null;
        var inDocumentCurrency = 0;
        foreach (var (currency, amount) in TaxTotals)
        {
            if (currency is null || currency == Currency)
            {
                tax ??= amount;
                inDocumentCurrency++;
            }
            else if (currency == TaxCurrency)
            {
                accountingTax ??= amount;
            }
        }

        return new Invoice(format, DocumentType, Number, IssueDate, DueDate, Currency, TaxCurrency, Supplier.Build(), Buyer.Build(),
            Lines, AllowancesCharges, VatBreakdown,
            new InvoiceTotals(LineTotal, AllowanceTotal, ChargeTotal, TaxExclusive, tax, accountingTax, TaxInclusive, Prepaid, Rounding, Payable, inDocumentCurrency),
            Attachments);
    }
}

internal sealed class PartyBuilder
{
    public string? Name { get; set; }

    public string? TradingName { get; set; }

    public string? VatId { get; set; }

    public string? EndpointId { get; set; }

    public string? LegalId { get; set; }

    public InvoiceParty Build() => new(Name ?? TradingName, VatId, EndpointId, LegalId);
}

/// <summary>Sees the document as paths below its root; one instance per document.</summary>
internal abstract class XmlInvoiceHandler(InvoiceBuilder invoice)
{
    protected InvoiceBuilder Invoice { get; } = invoice;

    public abstract InvoiceFormat Format { get; }

    public abstract bool IsBinary(string path);

    public virtual void Binary(string path, IReadOnlyDictionary<string, string> attributes, long size) =>
        Invoice.Attachments.Add(new InvoiceAttachment(attributes.GetValueOrDefault("filename"), attributes.GetValueOrDefault("mimeCode"), size, null));

    public virtual void Start(string path, IReadOnlyDictionary<string, string> attributes)
    {
    }

    public abstract void Text(string path, IReadOnlyDictionary<string, string> attributes, string text);

    public virtual void End(string path)
    {
    }

    protected static decimal? Amount(string text) => InvoiceReader.Amount(text);
}

/// <summary>UBL 2.1 Invoice and CreditNote (EN 16931, Peppol BIS 3).</summary>
internal sealed class UblHandler(InvoiceBuilder invoice, bool creditNote) : XmlInvoiceHandler(invoice)
{
    private readonly string _line = creditNote ? "CreditNoteLine" : "InvoiceLine";
    private readonly string _quantity = creditNote ? "CreditedQuantity" : "InvoicedQuantity";
    private LineState? _current;
    private AllowanceState? _allowance;
    private VatState? _vat;
    private string? _taxTotalCurrency;
    private bool _firstTaxTotal = true;
    private (string? Id, string? Scheme) _taxScheme;
    private bool _creditNote = creditNote;

    public override InvoiceFormat Format => InvoiceFormat.Ubl;

    public override bool IsBinary(string path) => path == "AdditionalDocumentReference/Attachment/EmbeddedDocumentBinaryObject";

    public override void Start(string path, IReadOnlyDictionary<string, string> attributes)
    {
        if (_creditNote)
        {
            Invoice.DocumentType = InvoiceDocumentType.CreditNote;
            _creditNote = false;
        }

        if (path == _line)
        {
            _current = new LineState();
        }
        else if (path == "AllowanceCharge")
        {
            _allowance = new AllowanceState();
        }
        else if (path == "TaxTotal/TaxSubtotal")
        {
            _vat = new VatState();
        }
        else if (path.EndsWith("/Party/PartyTaxScheme", StringComparison.Ordinal))
        {
            _taxScheme = default;
        }
    }

    public override void Text(string path, IReadOnlyDictionary<string, string> attributes, string text)
    {
        if (_current is { } line && path.StartsWith(_line, StringComparison.Ordinal))
        {
            var rest = path[(_line.Length + 1)..];
            if (rest == "ID")
            {
                line.Id = text;
            }
            else if (rest == _quantity)
            {
                line.Quantity = Amount(text);
                line.Unit = attributes.GetValueOrDefault("unitCode");
            }
            else if (rest == "LineExtensionAmount")
            {
                line.Net = Amount(text);
            }
            else if (rest == "Item/ClassifiedTaxCategory/ID")
            {
                line.Category = text;
            }
            else if (rest == "Item/ClassifiedTaxCategory/Percent")
            {
                line.Rate = Amount(text);
            }
            else if (rest == "Price/PriceAmount")
            {
                line.Price = Amount(text);
            }

            return;
        }

        switch (path)
        {
            case "ID": Invoice.Number = text; break;
            case "IssueDate": Invoice.IssueDate = InvoiceReader.Date(text); break;
            case "DueDate" or "PaymentMeans/PaymentDueDate": Invoice.DueDate ??= InvoiceReader.Date(text); break;
            case "InvoiceTypeCode" when text is "381" or "396" or "81" or "83" or "532": Invoice.DocumentType = InvoiceDocumentType.CreditNote; break;
            case "DocumentCurrencyCode": Invoice.Currency = text; break;
            case "TaxCurrencyCode": Invoice.TaxCurrency = text; break;
            case "AllowanceCharge/ChargeIndicator": _allowance!.IsCharge = text.Equals("true", StringComparison.OrdinalIgnoreCase); break;
            case "AllowanceCharge/Amount": _allowance!.Amount = Amount(text); break;
            case "AllowanceCharge/AllowanceChargeReason": _allowance!.Reason = text; break;
            case "AllowanceCharge/TaxCategory/ID": _allowance!.Category = text; break;
            case "AllowanceCharge/TaxCategory/Percent": _allowance!.Rate = Amount(text); break;
            case "TaxTotal/TaxAmount":
                _taxTotalCurrency = attributes.GetValueOrDefault("currencyID");
                Invoice.TaxTotals.Add((_taxTotalCurrency, Amount(text)!.Value));
                break;
            case "TaxTotal/TaxSubtotal/TaxableAmount": _vat!.Taxable = Amount(text); _vat.Currency = attributes.GetValueOrDefault("currencyID"); break;
            case "TaxTotal/TaxSubtotal/TaxAmount": _vat!.Tax = Amount(text); _vat.Currency ??= attributes.GetValueOrDefault("currencyID"); break;
            case "TaxTotal/TaxSubtotal/TaxCategory/ID": _vat!.Category = text; break;
            case "TaxTotal/TaxSubtotal/TaxCategory/Percent": _vat!.Rate = Amount(text); break;
            case "LegalMonetaryTotal/LineExtensionAmount": Invoice.LineTotal = Amount(text); break;
            case "LegalMonetaryTotal/TaxExclusiveAmount": Invoice.TaxExclusive = Amount(text); break;
            case "LegalMonetaryTotal/TaxInclusiveAmount": Invoice.TaxInclusive = Amount(text); break;
            case "LegalMonetaryTotal/AllowanceTotalAmount": Invoice.AllowanceTotal = Amount(text); break;
            case "LegalMonetaryTotal/ChargeTotalAmount": Invoice.ChargeTotal = Amount(text); break;
            case "LegalMonetaryTotal/PrepaidAmount": Invoice.Prepaid = Amount(text); break;
            case "LegalMonetaryTotal/PayableRoundingAmount": Invoice.Rounding = Amount(text); break;
            case "LegalMonetaryTotal/PayableAmount": Invoice.Payable = Amount(text); break;
            case "AdditionalDocumentReference/Attachment/ExternalReference/URI":
                Invoice.Attachments.Add(new InvoiceAttachment(null, null, 0, text));
                break;
            default:
                Party(path, text);
                break;
        }
    }

    public override void End(string path)
    {
        if (path == _line && _current is { } line)
        {
            Invoice.AddLine(new InvoiceLine(line.Id, line.Quantity, line.Unit, line.Price, line.Net, line.Category, line.Rate));
            _current = null;
        }
        else if (path == "AllowanceCharge" && _allowance is { } a)
        {
            Invoice.AllowancesCharges.Add(new InvoiceAllowanceCharge(a.IsCharge, a.Amount ?? 0m, a.Reason, a.Category, a.Rate));
            _allowance = null;
        }
        else if (path == "TaxTotal/TaxSubtotal" && _vat is { } v)
        {
            // Only the breakdown of the tax total in the document currency (the first TaxTotal in UBL).
            if (_firstTaxTotal && (v.Currency is null || v.Currency == Invoice.Currency))
            {
                Invoice.VatBreakdown.Add(new InvoiceVatBreakdown(v.Category, v.Rate, v.Taxable, v.Tax));
            }

            _vat = null;
        }
        else if (path == "TaxTotal")
        {
            _firstTaxTotal = false;
        }
        else if (path.EndsWith("/Party/PartyTaxScheme", StringComparison.Ordinal))
        {
            var party = path.StartsWith("AccountingSupplierParty", StringComparison.Ordinal) ? Invoice.Supplier
                : path.StartsWith("AccountingCustomerParty", StringComparison.Ordinal) ? Invoice.Buyer : null;
            if (party is not null && _taxScheme.Id is { } id && (_taxScheme.Scheme is null or "VAT"))
            {
                party.VatId ??= id;
            }
        }
    }

    private void Party(string path, string text)
    {
        var party = path.StartsWith("AccountingSupplierParty/Party/", StringComparison.Ordinal) ? Invoice.Supplier
            : path.StartsWith("AccountingCustomerParty/Party/", StringComparison.Ordinal) ? Invoice.Buyer : null;
        if (party is null)
        {
            return;
        }

        var rest = path[(path.IndexOf("/Party/", StringComparison.Ordinal) + 7)..];
        switch (rest)
        {
            case "EndpointID": party.EndpointId = text; break;
            case "PartyName/Name": party.TradingName ??= text; break;
            case "PartyLegalEntity/RegistrationName": party.Name ??= text; break;
            case "PartyLegalEntity/CompanyID": party.LegalId ??= text; break;
            case "PartyTaxScheme/CompanyID": _taxScheme.Id = text; break;
            case "PartyTaxScheme/TaxScheme/ID": _taxScheme.Scheme = text; break;
        }
    }

    private sealed class LineState
    {
        public string? Id { get; set; }

        public decimal? Quantity { get; set; }

        public string? Unit { get; set; }

        public decimal? Net { get; set; }

        public string? Category { get; set; }

        public decimal? Rate { get; set; }

        public decimal? Price { get; set; }
    }

    private sealed class AllowanceState
    {
        public bool IsCharge { get; set; }

        public decimal? Amount { get; set; }

        public string? Reason { get; set; }

        public string? Category { get; set; }

        public decimal? Rate { get; set; }
    }

    private sealed class VatState
    {
        public string? Currency { get; set; }

        public decimal? Taxable { get; set; }

        public decimal? Tax { get; set; }

        public string? Category { get; set; }

        public decimal? Rate { get; set; }
    }
}
