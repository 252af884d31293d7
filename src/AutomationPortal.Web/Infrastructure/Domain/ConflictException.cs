namespace AutomationPortal.Web.Infrastructure.Domain;

/// <summary>
/// The request cannot be done in the state things are in (for example "Run now" on a paused automation); the API
/// answers 409 with the message, which says why and what to do instead.
/// </summary>
public sealed class ConflictException(string message) : Exception(message);

/// <summary>What the request names does not exist (a wrong or outdated id); the API answers 404 with the message.</summary>
public sealed class NotFoundException(string message) : Exception(message);
