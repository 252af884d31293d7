using System.Text;
using AutomationPortal.Web.Features.ApiKeys;
using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Features.Users;
using AutomationPortal.Web.Infrastructure;
using AutomationPortal.Web.Infrastructure.Data;
using AutomationPortal.Web.Infrastructure.Domain;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace AutomationPortal.UnitTests.Infrastructure;

/// <summary>
/// The one exception handler answers the refusals of every feature by their kind (invalid fields, forbidden, not found,
/// conflict), never by the feature that threw them.
/// </summary>
public sealed class PortalExceptionHandlerTests
{
    [Fact]
    public async Task EachFeaturesInvalidFieldsAnswer400WithTheErrorsByField()
    {
        Assert.Equal(
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"schedule":["Not a schedule."]}}""",
            (await AnswerAsync(AutomationValidationException.For("schedule", "Not a schedule."))).Body);
        Assert.Equal(
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"user":["You cannot lock your own account."]}}""",
            (await AnswerAsync(new UserAdministrationException("You cannot lock your own account."))).Body);
        Assert.Equal(
            """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.1","title":"One or more validation errors occurred.","status":400,"errors":{"name":["Give the key a name."]}}""",
            (await AnswerAsync(new ApiKeyException("Give the key a name."))).Body);
    }

    [Fact]
    public async Task ForbiddenNotFoundAndConflictAnswerTheirStatusWithTheMessage()
    {
        var forbidden = await AnswerAsync(new ForbiddenException("Only an Admin may start runs."));
        var missing = await AnswerAsync(new AutomationNotFoundException(Guid.Empty));
        var conflict = await AnswerAsync(new ConflictException("It is paused: resume it to run it."));
        var changed = await AnswerAsync(new UserChangedMeanwhileException("The account was changed by someone else meanwhile."));

        Assert.Equal((403, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.4","title":"Forbidden","status":403,"detail":"Only an Admin may start runs."}"""), forbidden);
        Assert.Equal((404, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.5","title":"Not Found","status":404,"detail":"No automation has the id 00000000-0000-0000-0000-000000000000: check the link or the id you used."}"""), missing);
        Assert.Equal((409, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Conflict","status":409,"detail":"It is paused: resume it to run it."}"""), conflict);
        Assert.Equal((409, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Changed by someone else meanwhile.","status":409,"detail":"The account was changed by someone else meanwhile."}"""), changed);
    }

    [Fact]
    public async Task AChangeMadeMeanwhileIsAnsweredInTheWordsOfTheEndpointThatSavedIt()
    {
        var endpoint = new Endpoint(null, new EndpointMetadataCollection(new ChangedMeanwhileProblem("The automation was changed by someone else meanwhile. Reload it and try again.")), "PUT automation");

        var worded = await AnswerAsync(new DbUpdateConcurrencyException(), endpoint);
        var plain = await AnswerAsync(new DbUpdateConcurrencyException());

        Assert.Equal((409, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Conflict","status":409,"detail":"The automation was changed by someone else meanwhile. Reload it and try again."}"""), worded);
        Assert.Equal((409, """{"type":"https://tools.ietf.org/html/rfc9110#section-15.5.10","title":"Changed by someone else meanwhile.","status":409,"detail":"It was changed by someone else meanwhile. Reload it and try again."}"""), plain);
    }

    [Fact]
    public async Task APageRequestIsLeftToTheErrorPageAsAGet()
    {
        using var services = Services();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = HttpMethods.Post;
        context.Request.Path = "/automations/1";

        var handled = await Handler(services).TryHandleAsync(context, new ConflictException("Paused."), CancellationToken.None);

        Assert.False(handled);
        Assert.Equal(HttpMethods.Get, context.Request.Method);
    }

    private static async Task<(int Status, string Body)> AnswerAsync(Exception exception, Endpoint? endpoint = null)
    {
        using var services = Services();
        var context = new DefaultHttpContext { RequestServices = services, TraceIdentifier = "trace" };
        context.Request.Method = HttpMethods.Put;
        context.Request.Path = "/api/anything";
        context.Response.Body = new MemoryStream();
        context.Features.Set<IExceptionHandlerFeature>(new ExceptionHandlerFeature { Error = exception, Endpoint = endpoint, Path = "/api/anything" });

        Assert.True(await Handler(services).TryHandleAsync(context, exception, CancellationToken.None));

        var body = Encoding.UTF8.GetString(((MemoryStream)context.Response.Body).ToArray());
        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.EndsWith(""","traceId":"trace"}""", body, StringComparison.Ordinal);
        return (context.Response.StatusCode, body.Replace(",\"traceId\":\"trace\"", "", StringComparison.Ordinal));
    }

    private static PortalExceptionHandler Handler(IServiceProvider services) =>
        new(services.GetRequiredService<IProblemDetailsService>(), NullLogger<PortalExceptionHandler>.Instance);

    private static ServiceProvider Services()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddProblemDetails();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(PortalDatabase.Resolve(new ConfigurationBuilder().Build(), Path.GetTempPath()));
        services.AddSingleton<DatabaseWrites>();
        return services.BuildServiceProvider();
    }
}
