namespace AutomationPortal.Web.Infrastructure.Domain;

/// <summary>
/// The request cannot be done in the state things are in (for example "Run now" on a paused automation); the API
/// answers 409 with the message, which says why and what to do instead.
/// </summary>
public sealed class ConflictException(string message) : Exception(message);
