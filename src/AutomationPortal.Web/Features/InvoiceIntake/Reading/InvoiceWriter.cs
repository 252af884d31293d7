using System.Globalization;
using System.Text;
using System.Xml;

namespace AutomationPortal.Web.Features.InvoiceIntake.Reading;

/// <summary>
/// Writes an invoice in each supported format: the project's own test and demo invoices, so a fresh clone tests
/// itself and demo mode has documents to read without any external sample.
/// </summary>
public static class InvoiceWriter
{
    private const string Cbc = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2";
    private const string Cac = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2";
    private const string Rsm = InvoiceReader.CiiNamespace;
    private const string Ram = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100";
    private const string Udt = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100";

    public static byte[] Write(Invoice invoice, InvoiceFormat format) => format switch
    {
        InvoiceFormat.Ubl => Xml(w => Ubl(w, invoice)),
        InvoiceFormat.Cii => Xml(w => Cii(w, invoice)),
        InvoiceFormat.Csv => Encoding.UTF8.GetBytes(Csv(invoice)),
        _ => Encoding.UTF8.GetBytes(JsonInvoiceFormat.Write(invoice)),
    };

    private static byte[] Xml(Action<XmlWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = true }))
        {
            body(writer);
        }

        return buffer.ToArray();
    }

    private static string A(decimal? value) => (value ?? 0m).ToString("0.00##", CultureInfo.InvariantCulture);

    private static void Ubl(XmlWriter w, Invoice invoice)
    {
        var credit = invoice.DocumentType == InvoiceDocumentType.CreditNote;
        w.WriteStartElement(credit ? "CreditNote" : "Invoice", credit ? InvoiceReader.UblCreditNoteNamespace : InvoiceReader.UblInvoiceNamespace);
        w.WriteAttributeString("xmlns", "cbc", null, Cbc);
        w.WriteAttributeString("xmlns", "cac", null, Cac);
        w.WriteElementString("CustomizationID", Cbc, "urn:cen.eu:en16931:2017");
        w.WriteElementString("ID", Cbc, invoice.Number);
        w.WriteElementString("IssueDate", Cbc, invoice.IssueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        if (!credit && invoice.DueDate is { } due)
        {
            w.WriteElementString("DueDate", Cbc, due.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        }

        w.WriteElementString(credit ? "CreditNoteTypeCode" : "InvoiceTypeCode", Cbc, credit ? "381" : "380");
        w.WriteElementString("DocumentCurrencyCode", Cbc, invoice.Currency);
        UblParty(w, "AccountingSupplierParty", invoice.Supplier);
        UblParty(w, "AccountingCustomerParty", invoice.Buyer);
        foreach (var ac in invoice.AllowancesCharges)
        {
            w.WriteStartElement("AllowanceCharge", Cac);
            w.WriteElementString("ChargeIndicator", Cbc, ac.IsCharge ? "true" : "false");
            w.WriteElementString("AllowanceChargeReason", Cbc, ac.Reason);
            Amount(w, "Amount", ac.Amount, invoice.Currency);
            w.WriteStartElement("TaxCategory", Cac);
            w.WriteElementString("ID", Cbc, ac.VatCategory);
            w.WriteElementString("Percent", Cbc, A(ac.VatRate));
            Scheme(w);
            w.WriteEndElement();
            w.WriteEndElement();
        }

        w.WriteStartElement("TaxTotal", Cac);
        Amount(w, "TaxAmount", invoice.Totals.TaxTotal, invoice.Currency);
        foreach (var vat in invoice.VatBreakdown)
        {
            w.WriteStartElement("TaxSubtotal", Cac);
            Amount(w, "TaxableAmount", vat.TaxableAmount, invoice.Currency);
            Amount(w, "TaxAmount", vat.TaxAmount, invoice.Currency);
            w.WriteStartElement("TaxCategory", Cac);
            w.WriteElementString("ID", Cbc, vat.Category);
            w.WriteElementString("Percent", Cbc, A(vat.Rate));
            Scheme(w);
            w.WriteEndElement();
            w.WriteEndElement();
        }

        w.WriteEndElement();
        var t = invoice.Totals;
        w.WriteStartElement("LegalMonetaryTotal", Cac);
        Amount(w, "LineExtensionAmount", t.LineTotal, invoice.Currency);
        Amount(w, "TaxExclusiveAmount", t.TaxExclusive, invoice.Currency);
        Amount(w, "TaxInclusiveAmount", t.TaxInclusive, invoice.Currency);
        if (t.AllowanceTotal is not null)
        {
            Amount(w, "AllowanceTotalAmount", t.AllowanceTotal, invoice.Currency);
        }

        if (t.ChargeTotal is not null)
        {
            Amount(w, "ChargeTotalAmount", t.ChargeTotal, invoice.Currency);
        }

        if (t.Prepaid is not null)
        {
            Amount(w, "PrepaidAmount", t.Prepaid, invoice.Currency);
        }

        Amount(w, "PayableAmount", t.Payable, invoice.Currency);
        w.WriteEndElement();
        foreach (var line in invoice.Lines)
        {
            w.WriteStartElement(credit ? "CreditNoteLine" : "InvoiceLine", Cac);
            w.WriteElementString("ID", Cbc, line.Id);
            w.WriteStartElement(credit ? "CreditedQuantity" : "InvoicedQuantity", Cbc);
            w.WriteAttributeString("unitCode", line.Unit ?? "C62");
            w.WriteString(A(line.Quantity));
            w.WriteEndElement();
            Amount(w, "LineExtensionAmount", line.NetAmount, invoice.Currency);
            w.WriteStartElement("Item", Cac);
            w.WriteElementString("Name", Cbc, $"Item {line.Id}");
            w.WriteStartElement("ClassifiedTaxCategory", Cac);
            w.WriteElementString("ID", Cbc, line.VatCategory);
            w.WriteElementString("Percent", Cbc, A(line.VatRate));
            Scheme(w);
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteStartElement("Price", Cac);
            Amount(w, "PriceAmount", line.Price, invoice.Currency);
            w.WriteEndElement();
            w.WriteEndElement();
        }

        w.WriteEndElement();
    }

    private static void UblParty(XmlWriter w, string role, InvoiceParty party)
    {
        w.WriteStartElement(role, Cac);
        w.WriteStartElement("Party", Cac);
        if (party.EndpointId is { } endpoint)
        {
            w.WriteStartElement("EndpointID", Cbc);
            w.WriteAttributeString("schemeID", "0088");
            w.WriteString(endpoint);
            w.WriteEndElement();
        }

        if (party.VatId is { } vat)
        {
            w.WriteStartElement("PartyTaxScheme", Cac);
            w.WriteElementString("CompanyID", Cbc, vat);
            Scheme(w);
            w.WriteEndElement();
        }

        w.WriteStartElement("PartyLegalEntity", Cac);
        w.WriteElementString("RegistrationName", Cbc, party.Name);
        if (party.LegalId is { } legal)
        {
            w.WriteElementString("CompanyID", Cbc, legal);
        }

        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void Scheme(XmlWriter w)
    {
        w.WriteStartElement("TaxScheme", Cac);
        w.WriteElementString("ID", Cbc, "VAT");
        w.WriteEndElement();
    }

    private static void Amount(XmlWriter w, string name, decimal? value, string? currency, string ns = Cbc)
    {
        w.WriteStartElement(name, ns);
        w.WriteAttributeString("currencyID", currency);
        w.WriteString(A(value));
        w.WriteEndElement();
    }

    private static void Cii(XmlWriter w, Invoice invoice)
    {
        w.WriteStartElement("rsm", "CrossIndustryInvoice", Rsm);
        w.WriteAttributeString("xmlns", "ram", null, Ram);
        w.WriteAttributeString("xmlns", "udt", null, Udt);
        w.WriteStartElement("ExchangedDocumentContext", Rsm);
        w.WriteStartElement("GuidelineSpecifiedDocumentContextParameter", Ram);
        w.WriteElementString("ID", Ram, "urn:cen.eu:en16931:2017");
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteStartElement("ExchangedDocument", Rsm);
        w.WriteElementString("ID", Ram, invoice.Number);
        w.WriteElementString("TypeCode", Ram, invoice.DocumentType == InvoiceDocumentType.CreditNote ? "381" : "380");
        w.WriteStartElement("IssueDateTime", Ram);
        Date(w, invoice.IssueDate);
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteStartElement("SupplyChainTradeTransaction", Rsm);
        foreach (var line in invoice.Lines)
        {
            w.WriteStartElement("IncludedSupplyChainTradeLineItem", Ram);
            w.WriteStartElement("AssociatedDocumentLineDocument", Ram);
            w.WriteElementString("LineID", Ram, line.Id);
            w.WriteEndElement();
            w.WriteStartElement("SpecifiedTradeProduct", Ram);
            w.WriteElementString("Name", Ram, $"Item {line.Id}");
            w.WriteEndElement();
            w.WriteStartElement("SpecifiedLineTradeAgreement", Ram);
            w.WriteStartElement("NetPriceProductTradePrice", Ram);
            w.WriteElementString("ChargeAmount", Ram, A(line.Price));
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteStartElement("SpecifiedLineTradeDelivery", Ram);
            w.WriteStartElement("BilledQuantity", Ram);
            w.WriteAttributeString("unitCode", line.Unit ?? "C62");
            w.WriteString(A(line.Quantity));
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteStartElement("SpecifiedLineTradeSettlement", Ram);
            w.WriteStartElement("ApplicableTradeTax", Ram);
            w.WriteElementString("TypeCode", Ram, "VAT");
            w.WriteElementString("CategoryCode", Ram, line.VatCategory);
            w.WriteElementString("RateApplicablePercent", Ram, A(line.VatRate));
            w.WriteEndElement();
            w.WriteStartElement("SpecifiedTradeSettlementLineMonetarySummation", Ram);
            w.WriteElementString("LineTotalAmount", Ram, A(line.NetAmount));
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
        }

        w.WriteStartElement("ApplicableHeaderTradeAgreement", Ram);
        CiiParty(w, "SellerTradeParty", invoice.Supplier);
        CiiParty(w, "BuyerTradeParty", invoice.Buyer);
        w.WriteEndElement();
        w.WriteElementString("ApplicableHeaderTradeDelivery", Ram, null);
        w.WriteStartElement("ApplicableHeaderTradeSettlement", Ram);
        w.WriteElementString("InvoiceCurrencyCode", Ram, invoice.Currency);
        foreach (var vat in invoice.VatBreakdown)
        {
            w.WriteStartElement("ApplicableTradeTax", Ram);
            w.WriteElementString("CalculatedAmount", Ram, A(vat.TaxAmount));
            w.WriteElementString("TypeCode", Ram, "VAT");
            w.WriteElementString("BasisAmount", Ram, A(vat.TaxableAmount));
            w.WriteElementString("CategoryCode", Ram, vat.Category);
            w.WriteElementString("RateApplicablePercent", Ram, A(vat.Rate));
            w.WriteEndElement();
        }

        foreach (var ac in invoice.AllowancesCharges)
        {
            w.WriteStartElement("SpecifiedTradeAllowanceCharge", Ram);
            w.WriteStartElement("ChargeIndicator", Ram);
            w.WriteElementString("Indicator", Udt, ac.IsCharge ? "true" : "false");
            w.WriteEndElement();
            w.WriteElementString("ActualAmount", Ram, A(ac.Amount));
            w.WriteElementString("Reason", Ram, ac.Reason);
            w.WriteStartElement("CategoryTradeTax", Ram);
            w.WriteElementString("TypeCode", Ram, "VAT");
            w.WriteElementString("CategoryCode", Ram, ac.VatCategory);
            w.WriteElementString("RateApplicablePercent", Ram, A(ac.VatRate));
            w.WriteEndElement();
            w.WriteEndElement();
        }

        if (invoice.DueDate is { } due)
        {
            w.WriteStartElement("SpecifiedTradePaymentTerms", Ram);
            w.WriteStartElement("DueDateDateTime", Ram);
            Date(w, due);
            w.WriteEndElement();
            w.WriteEndElement();
        }

        var t = invoice.Totals;
        w.WriteStartElement("SpecifiedTradeSettlementHeaderMonetarySummation", Ram);
        w.WriteElementString("LineTotalAmount", Ram, A(t.LineTotal));
        if (t.ChargeTotal is not null)
        {
            w.WriteElementString("ChargeTotalAmount", Ram, A(t.ChargeTotal));
        }

        if (t.AllowanceTotal is not null)
        {
            w.WriteElementString("AllowanceTotalAmount", Ram, A(t.AllowanceTotal));
        }

        w.WriteElementString("TaxBasisTotalAmount", Ram, A(t.TaxExclusive));
        w.WriteStartElement("TaxTotalAmount", Ram);
        w.WriteAttributeString("currencyID", invoice.Currency);
        w.WriteString(A(t.TaxTotal));
        w.WriteEndElement();
        w.WriteElementString("GrandTotalAmount", Ram, A(t.TaxInclusive));
        if (t.Prepaid is not null)
        {
            w.WriteElementString("TotalPrepaidAmount", Ram, A(t.Prepaid));
        }

        w.WriteElementString("DuePayableAmount", Ram, A(t.Payable));
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void CiiParty(XmlWriter w, string role, InvoiceParty party)
    {
        w.WriteStartElement(role, Ram);
        w.WriteElementString("Name", Ram, party.Name);
        if (party.LegalId is { } legal)
        {
            w.WriteStartElement("SpecifiedLegalOrganization", Ram);
            w.WriteElementString("ID", Ram, legal);
            w.WriteEndElement();
        }

        if (party.EndpointId is { } endpoint)
        {
            CiiSchemeId(w, "URIUniversalCommunication", "URIID", "EM", endpoint);
        }

        if (party.VatId is { } vat)
        {
            CiiSchemeId(w, "SpecifiedTaxRegistration", "ID", "VA", vat);
        }

        w.WriteEndElement();
    }

    /// <summary>An identifier with its scheme inside its wrapper, as CII writes them: &lt;outer&gt;&lt;inner schemeID=".."&gt;value&lt;/inner&gt;&lt;/outer&gt;.</summary>
    private static void CiiSchemeId(XmlWriter w, string outer, string inner, string scheme, string value)
    {
        w.WriteStartElement(outer, Ram);
        w.WriteStartElement(inner, Ram);
        w.WriteAttributeString("schemeID", scheme);
        w.WriteString(value);
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void Date(XmlWriter w, DateOnly? date)
    {
        w.WriteStartElement("DateTimeString", Udt);
        w.WriteAttributeString("format", "102");
        w.WriteString(date?.ToString("yyyyMMdd", CultureInfo.InvariantCulture));
        w.WriteEndElement();
    }

    private static string Csv(Invoice invoice)
    {
        var text = new StringBuilder();
        text.AppendLine(string.Join(',', CsvInvoiceFormat.Columns));
        var t = invoice.Totals;
        var rows = invoice.Lines.Select(l => ("line", l.Id, (string?)null, (decimal?)l.Quantity, l.Unit, l.Price, l.NetAmount, l.VatCategory, l.VatRate))
            .Concat(invoice.AllowancesCharges.Select(a => (a.IsCharge ? "charge" : "allowance", (string?)null, a.Reason, (decimal?)null, (string?)null, (decimal?)null, (decimal?)a.Amount, a.VatCategory, a.VatRate)));
        foreach (var (rowType, id, description, quantity, unit, price, net, category, rate) in rows)
        {
            string?[] cells =
            [
                invoice.DocumentType == InvoiceDocumentType.CreditNote ? "creditNote" : "invoice", invoice.Number,
                invoice.IssueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), invoice.DueDate?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), invoice.Currency,
                invoice.Supplier.Name, invoice.Supplier.VatId, invoice.Supplier.EndpointId, invoice.Supplier.LegalId,
                invoice.Buyer.Name, invoice.Buyer.VatId, invoice.Buyer.EndpointId, invoice.Buyer.LegalId,
                rowType, id, description, quantity is null ? null : A(quantity), unit, price is null ? null : A(price), A(net), category, A(rate),
                A(t.LineTotal), t.AllowanceTotal is null ? null : A(t.AllowanceTotal), t.ChargeTotal is null ? null : A(t.ChargeTotal),
                A(t.TaxExclusive), A(t.TaxTotal), A(t.TaxInclusive), t.Prepaid is null ? null : A(t.Prepaid), t.Rounding is null ? null : A(t.Rounding), A(t.Payable),
            ];
            text.AppendLine(string.Join(',', cells.Select(Quote)));
        }

        return text.ToString();
    }

    private static string Quote(string? cell) =>
        cell is null ? "" : cell.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;
}
