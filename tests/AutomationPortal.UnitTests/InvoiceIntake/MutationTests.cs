using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.UnitTests.InvoiceIntake;

/// <summary>
/// Broken copies of valid invoices in every format (cut short at random points, bytes overwritten): the reader
/// either reads them or refuses them with its own error, never anything else.
/// </summary>
public sealed class MutationTests
{
    [Theory]
    [InlineData(InvoiceFormat.Ubl)]
    [InlineData(InvoiceFormat.Cii)]
    [InlineData(InvoiceFormat.Csv)]
    [InlineData(InvoiceFormat.Json)]
    public void BrokenCopiesAreReadOrRefusedWithTheReadersOwnError(InvoiceFormat format)
    {
        var random = new Random(20261126 + (int)format);
        var refused = 0;
        for (var i = 0; i < 400; i++)
        {
            var bytes = InvoiceWriter.Write(InvoiceSamples.Create(i), format);
            var broken = i % 2 == 0 ? bytes[..random.Next(1, bytes.Length)] : Overwrite(bytes, random);

            try
            {
                var invoice = InvoiceReader.Read(new MemoryStream(broken));
                _ = InvoiceVerifier.Verify(invoice);
            }
            catch (InvoiceReadException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                refused++;
            }
        }

        Assert.True(refused > 100, $"Most broken copies are refused ({refused} of 400).");
    }

    private static byte[] Overwrite(byte[] bytes, Random random)
    {
        var copy = (byte[])bytes.Clone();
        for (var n = random.Next(1, 6); n > 0; n--)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }

        return copy;
    }
}
