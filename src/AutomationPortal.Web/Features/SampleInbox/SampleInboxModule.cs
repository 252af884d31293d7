using AutomationPortal.Web.Features.Automations;

namespace AutomationPortal.Web.Features.SampleInbox;

/// <summary>The sample kind as a module: its kind and its demo, registered by one line in Program.cs.</summary>
public static class SampleInboxModule
{
    public static WebApplicationBuilder AddSampleInbox(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddAutomationKind<SampleInboxKind>();
        builder.Services.AddSingleton<IKindDemo, SampleInboxDemo>();
        return builder;
    }
}
