using AutomationPortal.Web.Infrastructure.Domain;

namespace AutomationPortal.UnitTests.Infrastructure;

public sealed class MoneyTests
{
    [Fact]
    public void AmountsOfOneCurrencyAddExactly()
    {
        var total = new Money(0.1m, "eur") + new Money(0.2m, "EUR");

        Assert.Equal(0.3m, total.Amount);
        Assert.Equal("EUR", total.Currency);
    }

    [Fact]
    public void DifferentCurrenciesNeverMix()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new Money(1m, "EUR") + new Money(1m, "USD"));

        Assert.Contains("EUR", error.Message, StringComparison.Ordinal);
        Assert.Contains("USD", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("XXX")]
    [InlineData("EURO")]
    [InlineData("")]
    public void AnUnknownCurrencyIsRefused(string code) =>
        Assert.Throws<ArgumentException>(() => new Money(1m, code));

    [Theory]
    [InlineData("JPY", 1234.5, 1235)]
    [InlineData("EUR", 2.345, 2.35)]
    [InlineData("KWD", 1.23456, 1.235)]
    public void RoundingFollowsTheCurrencysMinorUnits(string currency, double amount, double expected) =>
        Assert.Equal((decimal)expected, new Money((decimal)amount, currency).Round().Amount);

    [Theory]
    [InlineData("Europe/Berlin", true)]
    [InlineData("America/New_York", true)]
    [InlineData("Etc/UTC", true)]
    [InlineData("W. Europe Standard Time", false)]
    [InlineData("Mars/Olympus", false)]
    public void TimeZonesAreIanaIds(string id, bool valid) =>
        Assert.Equal(valid, TimeZones.IsIana(id));
}
