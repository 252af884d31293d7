using System.Collections.Frozen;

namespace AutomationPortal.Web.Infrastructure.Domain;

/// <summary>An amount with its ISO 4217 currency. Amounts of different currencies never mix.</summary>
public readonly record struct Money
{
    public Money(decimal amount, string currency)
    {
        Amount = amount;
        Currency = Domain.Currency.Normalise(currency);
    }

    public decimal Amount { get; }

    public string Currency { get; }

    public static Money Zero(string currency) => new(0m, currency);

    public Money Add(Money other)
    {
        EnsureSameCurrency(other);
        return new Money(Amount + other.Amount, Currency);
    }

    public Money Subtract(Money other)
    {
        EnsureSameCurrency(other);
        return new Money(Amount - other.Amount, Currency);
    }

    public Money Multiply(decimal factor) => new(Amount * factor, Currency);

    public Money Round() => new(decimal.Round(Amount, Domain.Currency.MinorUnits(Currency), MidpointRounding.AwayFromZero), Currency);

    public static Money operator +(Money left, Money right) => left.Add(right);

    public static Money operator -(Money left, Money right) => left.Subtract(right);

    public static Money operator *(Money left, decimal right) => left.Multiply(right);

    public override string ToString() =>
        $"{Amount.ToString("N" + Domain.Currency.MinorUnits(Currency), System.Globalization.CultureInfo.InvariantCulture)} {Currency}";

    private void EnsureSameCurrency(Money other)
    {
        if (!string.Equals(Currency, other.Currency, StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Cannot combine {Currency} with {other.Currency} without a conversion rate.");
        }
    }
}

/// <summary>ISO 4217 currency codes in current use, with their minor units where not 2.</summary>
public static class Currency
{
    private static readonly FrozenSet<string> Codes = (
        "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD " +
        "CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD " +
        "GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT " +
        "LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN NIO NOK NPR " +
        "NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP SLE SOS SRD SSP " +
        "STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VES VND VUV WST XAF XCD XCG " +
        "XOF XPF YER ZAR ZMW ZWG").Split(' ').ToFrozenSet(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, int> NonDefaultMinorUnits = new Dictionary<string, int>
    {
        ["BHD"] = 3, ["BIF"] = 0, ["CLP"] = 0, ["DJF"] = 0, ["GNF"] = 0, ["IQD"] = 3, ["ISK"] = 0, ["JOD"] = 3,
        ["JPY"] = 0, ["KMF"] = 0, ["KRW"] = 0, ["KWD"] = 3, ["LYD"] = 3, ["OMR"] = 3, ["PYG"] = 0, ["RWF"] = 0,
        ["TND"] = 3, ["UGX"] = 0, ["UYU"] = 2, ["VND"] = 0, ["VUV"] = 0, ["XAF"] = 0, ["XOF"] = 0, ["XPF"] = 0,
    }.ToFrozenDictionary(StringComparer.Ordinal);

    public static bool IsKnown(string? code) => code is not null && Codes.Contains(code.Trim().ToUpperInvariant());

    public static int MinorUnits(string code) => NonDefaultMinorUnits.GetValueOrDefault(code, 2);

    public static string Normalise(string code)
    {
        ArgumentNullException.ThrowIfNull(code);
        var upper = code.Trim().ToUpperInvariant();
        return Codes.Contains(upper)
            ? upper
            : throw new ArgumentException($"'{code}' is not an ISO 4217 currency code.", nameof(code));
    }
}

public static class TimeZones
{
    /// <summary>True for an IANA id such as Europe/Berlin; Windows ids are refused so data stays portable.</summary>
    public static bool IsIana(string? id) =>
        !string.IsNullOrWhiteSpace(id)
        && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone)
        && zone.HasIanaId;
}

/// <summary>Amounts as every page writes them: "1,234.50 EUR", or a dash for none.</summary>
public static class AmountText
{
    public static string Of(decimal? amount, string? currency) =>
        amount is { } a ? $"{a.ToString("#,##0.00", System.Globalization.CultureInfo.InvariantCulture)} {currency}".TrimEnd() : "—";
}
