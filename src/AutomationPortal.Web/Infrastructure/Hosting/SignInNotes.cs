using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace AutomationPortal.Web.Infrastructure.Hosting;

/// <summary>
/// Collects how to sign in (bootstrap admin, demo accounts) during start-up and prints it once the
/// portal listens, with the address to open. Passwords the portal generated appear here and nowhere else.
/// </summary>
public sealed class SignInNotes
{
    private readonly List<string> _lines = [];
    private readonly Lock _gate = new();

    public void Add(string line)
    {
        lock (_gate)
        {
            _lines.Add(line);
        }
    }

    public IReadOnlyList<string> Lines
    {
        get
        {
            lock (_gate)
            {
                return [.. _lines];
            }
        }
    }

    internal static void PrintWhenStarted(WebApplication app)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var notes = app.Services.GetRequiredService<SignInNotes>();
            var addresses = app.Services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            var url = addresses.FirstOrDefault()?.Replace("://[::]", "://localhost", StringComparison.Ordinal).Replace("://0.0.0.0", "://localhost", StringComparison.Ordinal).Replace("://+", "://localhost", StringComparison.Ordinal) ?? "http://localhost:5000";
            var rule = new string('=', 72);
            Console.WriteLine(rule);
            Console.WriteLine($" AutomationPortal is running: open {url.TrimEnd('/')}/Account/Login");
            foreach (var line in notes.Lines)
            {
                Console.WriteLine($" {line}");
            }

            if (notes.Lines.Count == 0)
            {
                Console.WriteLine(" Sign in with an account an Admin created for you.");
            }

            Console.WriteLine(rule);
        });
    }
}
