using System.Xml.Linq;
using AutomationPortal.Web.Features.InvoiceIntake.Reading;

namespace AutomationPortal.UnitTests.InvoiceIntake;

/// <summary>
/// The EN 16931 validation artefacts' own unit tests (conformance-ubl/BR-CO-*.xml): each &lt;test&gt; holds an invoice
/// fragment and says whether one rule reports success or error. Our verifier must agree on every test of the
/// rules it implements.
/// </summary>
public sealed class ConformanceTests
{
    /// <summary>BR-CO rules with tests in the artefacts that are not calculation rules of this verifier, and why.</summary>
    public static readonly IReadOnlyDictionary<string, string> OutOfScope = new Dictionary<string, string>
    {
        ["BR-CO-03"] = "Value added tax point date and code are mutually exclusive: a field rule, not a calculation.",
        ["BR-CO-04"] = "Each line has a VAT category code: a field rule, checked by the schema validation step.",
        ["BR-CO-09"] = "VAT identifiers start with an ISO 3166 country prefix: an identifier format rule.",
        ["BR-CO-18"] = "At least one VAT breakdown group: a structure rule.",
        ["BR-CO-19"] = "Invoicing period start or end date present when the period is given: a field rule.",
        ["BR-CO-20"] = "Invoice line period start or end date present when given: a field rule.",
        ["BR-CO-21"] = "Document allowance has a reason or reason code: a field rule.",
        ["BR-CO-22"] = "Document charge has a reason or reason code: a field rule.",
        ["BR-CO-23"] = "Line allowance has a reason or reason code: a field rule.",
        ["BR-CO-24"] = "Line charge has a reason or reason code: a field rule.",
        ["BR-CO-26"] = "A seller identifier, legal registration or VAT id is present: a field rule.",
    };

    /// <summary>The calculation rules this verifier implements.</summary>
    public static readonly IReadOnlyList<string> InScope = ["BR-CO-10", "BR-CO-11", "BR-CO-12", "BR-CO-13", "BR-CO-14", "BR-CO-15", "BR-CO-16", "BR-CO-17"];

    [Fact]
    public void EveryBrCoFileIsCheckedOrListedOutOfScopeWithItsReason()
    {
        var files = SharedSamples.Files("conformance-ubl").Where(f => Path.GetFileName(f).StartsWith("BR-CO-", StringComparison.Ordinal)).ToList();
        if (files.Count == 0)
        {
            Assert.Skip(SharedSamples.SkipReason);
        }

        var scopes = files.Select(Scope).Distinct().ToList();

        Assert.All(scopes, scope => Assert.True(InScope.Contains(scope) || OutOfScope.ContainsKey(scope), $"{scope} is neither checked nor listed out of scope."));
        Assert.All(InScope, rule => Assert.Contains(rule, scopes));
    }

    public static TheoryData<string> Files()
    {
        var data = new TheoryData<string>();
        foreach (var file in SharedSamples.Files("conformance-ubl").Where(f => Path.GetFileName(f).StartsWith("BR-CO-", StringComparison.Ordinal)))
        {
            if (!OutOfScope.ContainsKey(Scope(file)))
            {
                data.Add(Path.GetFileName(file));
            }
        }

        if (data.Count == 0)
        {
            data.Add("(samples absent)");
        }

        return data;
    }

    private static string Scope(string file)
    {
        XNamespace vefa = "http://difi.no/xsd/vefa/validator/1.0";
        return XDocument.Load(file).Root!.Element(vefa + "assert")!.Element(vefa + "scope")!.Value.Trim();
    }

    [Theory]
    [MemberData(nameof(Files))]
    public void OurVerifierAgreesWithTheStandardsOwnTests(string name)
    {
        var path = SharedSamples.PathOf("conformance-ubl", name);
        XNamespace vefa = "http://difi.no/xsd/vefa/validator/1.0";
        var document = XDocument.Load(path);
        Assert.Contains(Scope(path), InScope);
        var disagreements = new List<string>();
        var index = 0;
        foreach (var test in document.Root!.Elements(vefa + "test"))
        {
            index++;
            var assert = test.Element(vefa + "assert")!;
            var expectError = assert.Element(vefa + "error") is not null;
            var rule = (assert.Element(vefa + "error") ?? assert.Element(vefa + "success"))!.Value.Trim();
            var fragment = test.Elements().First(e => e.Name != vefa + "assert");
            using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(fragment.ToString()));
            var findings = InvoiceVerifier.Verify(InvoiceReader.Read(stream));
            var reported = findings.Any(f => f.Code == $"arithmetic:{rule}");
            if (reported != expectError)
            {
                disagreements.Add($"test {index} ({(string?)assert.Element(vefa + "description")}): expected {(expectError ? "error" : "success")}, ours {(reported ? "error" : "success")}: {string.Join("; ", findings.Select(f => f.Message))}");
            }
        }

        Assert.True(index > 0, "The file holds tests.");
        Assert.True(disagreements.Count == 0, string.Join("\n", disagreements));
    }
}

