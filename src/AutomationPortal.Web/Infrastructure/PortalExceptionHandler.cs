using AutomationPortal.Web.Features.Automations;
using AutomationPortal.Web.Infrastructure.Domain;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Infrastructure;

/// <summary>
/// Turns the portal's refusals into problem details for API callers, whatever endpoint threw them: validation 400,
/// forbidden 403, not found 404, conflicts (a state that forbids the request, or someone else's change meanwhile)
/// 409, anything else 500 with the request's reference. Pages get the error page, always by GET, so a failed PUT
/// or POST never replays its method against it.
/// </summary>
public sealed class PortalExceptionHandler(IProblemDetailsService problems, ILogger<PortalExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(exception);
        // The middleware has already pointed the request at the error page: judge by the path the request came for.
        var originalPath = httpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path ?? httpContext.Request.Path.Value ?? "";
        if (!originalPath.StartsWith("/api", StringComparison.OrdinalIgnoreCase))
        {
            // The error page is a page: it is rendered as a GET whatever the failed request was.
            httpContext.Request.Method = HttpMethods.Get;
            return false;
        }

        var writes = httpContext.RequestServices.GetRequiredService<Data.DatabaseWrites>();
        var (status, title, detail) = exception switch
        {
            _ when writes.Failed(exception) is { } unwritable => (StatusCodes.Status503ServiceUnavailable, "The portal cannot save changes now.",
                $"{unwritable} Nothing was changed; an Admin must free space or fix the file's permissions, then try again."),
            AutomationValidationException => (StatusCodes.Status400BadRequest, "The request has invalid fields.", exception.Message),
            ForbiddenException => (StatusCodes.Status403Forbidden, "Not allowed.", exception.Message),
            AutomationNotFoundException or NotFoundException => (StatusCodes.Status404NotFound, "Not found.", exception.Message),
            ConflictException => (StatusCodes.Status409Conflict, "Not possible now.", exception.Message),
            DbUpdateConcurrencyException => (StatusCodes.Status409Conflict, "Changed by someone else meanwhile.", "It was changed by someone else meanwhile. Reload it and try again."),
            BadHttpRequestException bad => (bad.StatusCode, "The request could not be read.", bad.Message),
            _ => (StatusCodes.Status500InternalServerError, "The portal could not complete the request.", $"Nothing saved before is lost. Reference: {httpContext.TraceIdentifier}"),
        };
        if (status >= 500)
        {
            logger.LogError(exception, "Request {Method} {Path} failed.", httpContext.Request.Method, originalPath);
        }

        httpContext.Response.StatusCode = status;
        var problem = new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (exception is AutomationValidationException validation)
        {
            problem.Extensions["errors"] = validation.Errors;
        }

        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }
}
