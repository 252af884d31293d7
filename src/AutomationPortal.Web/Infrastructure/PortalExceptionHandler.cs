using AutomationPortal.Web.Infrastructure.Domain;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace AutomationPortal.Web.Infrastructure;

/// <summary>
/// Turns the portal's refusals into problem details for API callers, whatever endpoint threw them: invalid fields
/// 400 with the errors by field, forbidden 403, not found 404, conflicts (a state that forbids the request, or
/// someone else's change meanwhile) 409, a database that cannot be written 503, anything else 500 with the request's
/// reference. Pages get the error page, always by GET, so a failed PUT or POST never replays its method against it.
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

        var problem = ProblemFor(httpContext, exception);
        if (problem.Status >= 500)
        {
            logger.LogError(exception, "Request {Method} {Path} failed.", httpContext.Request.Method, originalPath);
        }

        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>
    /// The answer to <paramref name="exception"/>. Titles left out are the status's own ("Not Found", "Conflict"), filled
    /// in with the type when the answer is written.
    /// </summary>
    public static ProblemDetails ProblemFor(HttpContext httpContext, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        ArgumentNullException.ThrowIfNull(exception);
        var writes = httpContext.RequestServices.GetRequiredService<Data.DatabaseWrites>();
        return exception switch
        {
            _ when writes.Failed(exception) is { } unwritable => Problem(StatusCodes.Status503ServiceUnavailable, "The portal cannot save changes now.",
                $"{unwritable} Nothing was changed; an Admin must free space or fix the file's permissions, then try again."),
            PortalValidationException invalid => new HttpValidationProblemDetails(invalid.Errors) { Status = StatusCodes.Status400BadRequest },
            ForbiddenException => Problem(StatusCodes.Status403Forbidden, null, exception.Message),
            NotFoundException => Problem(StatusCodes.Status404NotFound, null, exception.Message),
            ConflictException { Holder: { } holder } conflict => WithExtension(Problem(StatusCodes.Status409Conflict, conflict.Title, exception.Message), "holder", holder),
            ConflictException conflict => Problem(StatusCodes.Status409Conflict, conflict.Title, exception.Message),
            DbUpdateConcurrencyException => EndpointOf(httpContext)?.Metadata.GetMetadata<ChangedMeanwhileProblem>() is { } answer
                ? Problem(StatusCodes.Status409Conflict, answer.Title, answer.Detail)
                : Problem(StatusCodes.Status409Conflict, "Changed by someone else meanwhile.", "It was changed by someone else meanwhile. Reload it and try again."),
            BadHttpRequestException bad => Problem(bad.StatusCode, "The request could not be read.", bad.Message),
            _ => Problem(StatusCodes.Status500InternalServerError, "The portal could not complete the request.", $"Nothing saved before is lost. Reference: {httpContext.TraceIdentifier}"),
        };
    }

    private static ProblemDetails Problem(int status, string? title, string detail) => new() { Status = status, Title = title, Detail = detail };

    private static ProblemDetails WithExtension(ProblemDetails problem, string key, object value)
    {
        problem.Extensions[key] = value;
        return problem;
    }

    // The middleware clears the request's endpoint before handlers run; its feature keeps the one that threw.
    private static Endpoint? EndpointOf(HttpContext httpContext) =>
        httpContext.Features.Get<IExceptionHandlerFeature>()?.Endpoint ?? httpContext.GetEndpoint();
}

/// <summary>
/// Endpoint metadata: what to answer when the endpoint's save meets someone else's change made at the same moment,
/// in the words of what the endpoint changes. Without it the answer speaks of "it".
/// </summary>
public sealed record ChangedMeanwhileProblem(string Detail, string? Title = null);
