namespace AutomationPortal.Web.Features.InvoiceIntake.Reading;

/// <summary>UN/CEFACT Cross Industry Invoice D16B (EN 16931 CII syntax).</summary>
internal sealed class CiiHandler(InvoiceBuilder invoice) : XmlInvoiceHandler(invoice)
{
    private const string Transaction = "SupplyChainTradeTransaction/";
    private const string Line = Transaction + "IncludedSupplyChainTradeLineItem";
    private const string Agreement = Transaction + "ApplicableHeaderTradeAgreement/";
    private const string Settlement = Transaction + "ApplicableHeaderTradeSettlement/";
    private const string Tax = Settlement + "ApplicableTradeTax";
    private const string AllowanceCharge = Settlement + "SpecifiedTradeAllowanceCharge";
    private const string Summation = Settlement + "SpecifiedTradeSettlementHeaderMonetarySummation/";

    private readonly Dictionary<string, decimal?> _line = [];
    private readonly Dictionary<string, string?> _lineText = [];
    private readonly Dictionary<string, string?> _group = [];

    public override InvoiceFormat Format => InvoiceFormat.Cii;

    public override bool IsBinary(string path) => path == Agreement + "AdditionalReferencedDocument/AttachmentBinaryObject";

    public override void Start(string path, IReadOnlyDictionary<string, string> attributes)
    {
        if (path is Line)
        {
            _line.Clear();
            _lineText.Clear();
        }
        else if (path is Tax or AllowanceCharge)
        {
            _group.Clear();
        }
    }

    public override void Text(string path, IReadOnlyDictionary<string, string> attributes, string text)
    {
        if (path.StartsWith(Line + "/", StringComparison.Ordinal))
        {
            var rest = path[(Line.Length + 1)..];
            switch (rest)
            {
                case "AssociatedDocumentLineDocument/LineID": _lineText["id"] = text; break;
                case "SpecifiedLineTradeAgreement/NetPriceProductTradePrice/ChargeAmount": _line["price"] = Amount(text); break;
                case "SpecifiedLineTradeDelivery/BilledQuantity": _line["quantity"] = Amount(text); _lineText["unit"] = attributes.GetValueOrDefault("unitCode"); break;
                case "SpecifiedLineTradeSettlement/ApplicableTradeTax/CategoryCode": _lineText["category"] = text; break;
                case "SpecifiedLineTradeSettlement/ApplicableTradeTax/RateApplicablePercent": _line["rate"] = Amount(text); break;
                case "SpecifiedLineTradeSettlement/SpecifiedTradeSettlementLineMonetarySummation/LineTotalAmount": _line["net"] = Amount(text); break;
            }

            return;
        }

        if (path.StartsWith(Tax + "/", StringComparison.Ordinal) || path.StartsWith(AllowanceCharge + "/", StringComparison.Ordinal))
        {
            var prefix = path.StartsWith(Tax + "/", StringComparison.Ordinal) ? Tax : AllowanceCharge;
            _group[path[(prefix.Length + 1)..]] = text;
            return;
        }

        switch (path)
        {
            case "ExchangedDocument/ID": Invoice.Number = text; break;
            case "ExchangedDocument/TypeCode" when text is "381" or "396" or "81" or "83" or "532": Invoice.DocumentType = InvoiceDocumentType.CreditNote; break;
            case "ExchangedDocument/IssueDateTime/DateTimeString": Invoice.IssueDate = InvoiceReader.Date(text, attributes.GetValueOrDefault("format")); break;
            case Settlement + "InvoiceCurrencyCode": Invoice.Currency = text; break;
            case Settlement + "TaxCurrencyCode": Invoice.TaxCurrency = text; break;
            case Settlement + "SpecifiedTradePaymentTerms/DueDateDateTime/DateTimeString": Invoice.DueDate ??= InvoiceReader.Date(text, attributes.GetValueOrDefault("format")); break;
            case Summation + "LineTotalAmount": Invoice.LineTotal = Amount(text); break;
            case Summation + "ChargeTotalAmount": Invoice.ChargeTotal = Amount(text); break;
            case Summation + "AllowanceTotalAmount": Invoice.AllowanceTotal = Amount(text); break;
            case Summation + "TaxBasisTotalAmount": Invoice.TaxExclusive = Amount(text); break;
            case Summation + "TaxTotalAmount": Invoice.TaxTotals.Add((attributes.GetValueOrDefault("currencyID"), Amount(text)!.Value)); break;
            case Summation + "RoundingAmount": Invoice.Rounding = Amount(text); break;
            case Summation + "GrandTotalAmount": Invoice.TaxInclusive = Amount(text); break;
            case Summation + "TotalPrepaidAmount": Invoice.Prepaid = Amount(text); break;
            case Summation + "DuePayableAmount": Invoice.Payable = Amount(text); break;
            case Agreement + "AdditionalReferencedDocument/URIID": Invoice.Attachments.Add(new InvoiceAttachment(null, null, 0, text)); break;
            default: Party(path, attributes, text); break;
        }
    }

    public override void End(string path)
    {
        switch (path)
        {
            case Line:
                Invoice.AddLine(new InvoiceLine(_lineText.GetValueOrDefault("id"), _line.GetValueOrDefault("quantity"), _lineText.GetValueOrDefault("unit"),
                    _line.GetValueOrDefault("price"), _line.GetValueOrDefault("net"), _lineText.GetValueOrDefault("category"), _line.GetValueOrDefault("rate")));
                break;
            case Tax:
                Invoice.VatBreakdown.Add(new InvoiceVatBreakdown(_group.GetValueOrDefault("CategoryCode"), Optional(_group.GetValueOrDefault("RateApplicablePercent")),
                    Optional(_group.GetValueOrDefault("BasisAmount")), Optional(_group.GetValueOrDefault("CalculatedAmount"))));
                break;
            case AllowanceCharge:
                Invoice.AllowancesCharges.Add(new InvoiceAllowanceCharge(
                    string.Equals(_group.GetValueOrDefault("ChargeIndicator/Indicator"), "true", StringComparison.OrdinalIgnoreCase),
                    Optional(_group.GetValueOrDefault("ActualAmount")) ?? 0m,
                    _group.GetValueOrDefault("Reason"),
                    _group.GetValueOrDefault("CategoryTradeTax/CategoryCode"),
                    Optional(_group.GetValueOrDefault("CategoryTradeTax/RateApplicablePercent"))));
                break;
        }
    }

    private void Party(string path, IReadOnlyDictionary<string, string> attributes, string text)
    {
        var party = path.StartsWith(Agreement + "SellerTradeParty/", StringComparison.Ordinal) ? Invoice.Supplier
            : path.StartsWith(Agreement + "BuyerTradeParty/", StringComparison.Ordinal) ? Invoice.Buyer : null;
        if (party is null)
        {
            return;
        }

        var rest = path[(path.IndexOf("TradeParty/", StringComparison.Ordinal) + 11)..];
        switch (rest)
        {
            case "Name": party.Name ??= text; break;
            case "SpecifiedLegalOrganization/ID": party.LegalId ??= text; break;
            case "SpecifiedLegalOrganization/TradingBusinessName": party.TradingName ??= text; break;
            case "URIUniversalCommunication/URIID": party.EndpointId ??= text; break;
            case "SpecifiedTaxRegistration/ID":
                if (attributes.GetValueOrDefault("schemeID") is null or "VA")
                {
                    party.VatId ??= text;
                }

                break;
        }
    }

    private static decimal? Optional(string? text) => string.IsNullOrWhiteSpace(text) ? null : Amount(text);
}
