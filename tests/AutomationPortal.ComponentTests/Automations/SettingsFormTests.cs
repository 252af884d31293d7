using System.Text.Json.Nodes;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Pages;
using AutomationPortal.Web.Features.InvoiceIntake;
using AutomationPortal.Web.Features.SampleInbox;
using AutomationPortal.Web.Infrastructure.Security;
using Bunit;

namespace AutomationPortal.ComponentTests.Automations;

public sealed class SettingsFormTests : PortalComponentTest
{
    private static AngleSharp.Dom.IElement Input(IRenderedComponent<SettingsForm> form, string name) =>
        form.Find($"input[data-testid=setting-{name}], [data-testid=setting-{name}] input");

    [Fact]
    public void EachSettingOfAKindIsAFieldWithItsLabelHelpAndValue()
    {
        SignInAs(Role.Admin);
        var values = JsonNode.Parse("""{"inboxPath":"ap/inbox","reviewThreshold":5000,"flagNewSuppliers":true,"reviewThresholds":{"USD":6000},"webhookSecret":"••••••••"}""")!.AsObject();

        var form = Render<SettingsForm>(p => p.Add(f => f.SettingsType, typeof(InvoiceIntakeSettings)).Add(f => f.Values, values));

        var labels = form.FindAll("label").Select(l => l.TextContent.Trim()).ToList();
        Assert.Contains("Inbox folder", labels);
        Assert.Contains("Review threshold", labels);
        Assert.Contains("Webhook secret", labels);
        Assert.Contains("Invoices payable above this, in their own currency, go to a person.", form.Markup, StringComparison.Ordinal);
        Assert.Equal("ap/inbox", Input(form, "inboxPath").GetAttribute("value"));
        Assert.Equal("password", Input(form, "webhookSecret").GetAttribute("type"));
        Assert.Contains("USD", form.Find("[data-testid=setting-reviewThresholds]").InnerHtml, StringComparison.Ordinal);
        // Every setting of the class is on the form.
        Assert.All(SettingsDescription.Of(typeof(InvoiceIntakeSettings)), f => Assert.NotEmpty(form.FindAll($"[data-testid=setting-{f.Name}]")));
    }

    [Fact]
    public void ARefusedValueIsShownBesideItsField()
    {
        SignInAs(Role.Admin);
        var values = JsonNode.Parse("""{"escalateAbove":-5}""")!.AsObject();
        var errors = new Dictionary<string, string[]> { ["settings.escalateAbove"] = ["The field EscalateAbove must be between 0 and 1000000000."] };

        var form = Render<SettingsForm>(p => p.Add(f => f.SettingsType, typeof(SampleInboxSettings)).Add(f => f.Values, values).Add(f => f.Errors, errors));

        // The message stands in the field's own helper line, in place of its help text; no other field shows an error.
        var control = Input(form, "escalateAbove").Closest(".mud-input-control")!;
        Assert.Contains("must be between 0 and 1000000000", control.TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("Values above this go to a person.", control.TextContent, StringComparison.Ordinal);
        Assert.Single(form.FindAll(".mud-input-control"), c => c.ClassList.Contains("mud-input-error"));
    }

    [Fact]
    public void ChangingAFieldChangesTheSettingsAndAddingACurrencyAddsARow()
    {
        SignInAs(Role.Admin);
        var values = JsonNode.Parse("""{"flagNewSuppliers":true}""")!.AsObject();
        var changes = 0;

        var form = Render<SettingsForm>(p => p.Add(f => f.SettingsType, typeof(InvoiceIntakeSettings)).Add(f => f.Values, values).Add(f => f.Changed, () => changes++));
        Input(form, "flagNewSuppliers").Change(false);
        form.Find("[data-testid=add-reviewThresholds]").Click();

        Assert.False(values["flagNewSuppliers"]!.GetValue<bool>());
        Assert.True(values["reviewThresholds"]!.AsObject().ContainsKey("USD"));
        Assert.Equal(2, changes);
    }

    [Fact]
    public void ReadOnlyFormsOfferNoChange()
    {
        SignInAs(Role.Agent);
        var values = JsonNode.Parse("""{"reviewThresholds":{"USD":6000}}""")!.AsObject();

        var form = Render<SettingsForm>(p => p.Add(f => f.SettingsType, typeof(InvoiceIntakeSettings)).Add(f => f.Values, values).Add(f => f.ReadOnly, true));

        Assert.Empty(form.FindAll("[data-testid=add-reviewThresholds]"));
        Assert.All(form.FindAll("input[type=text]"), i => Assert.True(i.HasAttribute("readonly")));
    }
}
