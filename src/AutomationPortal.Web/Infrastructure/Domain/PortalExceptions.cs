namespace AutomationPortal.Web.Infrastructure.Domain;

// The refusals every feature throws. The API's exception handler answers each with its problem details (the status
// and the message that says what to do); pages catch them and show the message. Features derive their own when a
// page needs to tell them apart.

/// <summary>
/// Refused input, by field (camelCase, settings fields as settings.x); the API answers 400 with the errors by field.
/// The message is every field's messages in one sentence, for a page that shows one line.
/// </summary>
public class PortalValidationException(IReadOnlyDictionary<string, string[]> errors)
    : Exception(string.Join(" ", errors.SelectMany(e => e.Value)))
{
    public PortalValidationException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;
}

/// <summary>The caller may not do this (a role the action needs); the API answers 403 with the message.</summary>
public class ForbiddenException(string message) : Exception(message);

/// <summary>What the request names does not exist (a wrong or outdated id); the API answers 404 with the message.</summary>
public class NotFoundException(string message) : Exception(message);

/// <summary>
/// The request cannot be done in the state things are in (for example "Run now" on a paused automation, or a change
/// to something someone else changed meanwhile); the API answers 409 with the message, which says why and what to do
/// instead, under <paramref name="title"/> when given (else the status's own title).
/// </summary>
public class ConflictException(string message, string? title = null) : Exception(message)
{
    public string? Title { get; } = title;

    /// <summary>Who holds what was asked for (an escalation someone else claimed): the answer names them as <c>holder</c>.</summary>
    public string? Holder { get; init; }
}
