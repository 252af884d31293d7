using AutomationPortal.Web.Features.ApiKeys;
using AutomationPortal.Web.Features.Audit;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Demo;
using AutomationPortal.Web.Features.Escalations;
using AutomationPortal.Web.Features.InvoiceIntake;
using AutomationPortal.Web.Features.SampleInbox;
using AutomationPortal.Web.Features.Users;
using AutomationPortal.Web.Infrastructure;
using AutomationPortal.Web.Infrastructure.Hosting;

var builder = WebApplication.CreateBuilder(PortalHost.CreateOptions(args));

builder.AddPortalInfrastructure();
builder.AddUsers();
builder.AddApiKeys();
builder.AddAudit();
builder.AddAutomations();
builder.AddEscalations();
builder.AddSampleInbox();
builder.AddInvoiceIntake();
builder.AddDemo();

var app = builder.Build();

app.UsePortal();
app.MapPortal();

app.Run();

/// <summary>The entry point, visible to WebApplicationFactory in the integration tests.</summary>
public partial class Program;
