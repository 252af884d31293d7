using System.Net;
using System.Text;
using System.Text.Json;
using AutomationPortal.TestSupport;
using AutomationPortal.Web.Infrastructure.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace AutomationPortal.IntegrationTests.Security;

/// <summary>
/// Every operation of the portal's own OpenAPI document, called by every kind of caller: anonymous, an Agent's key,
/// an Agent's sign-in, a Manager's sign-in and an Admin's key. The role each operation needs is read from its
/// endpoint's authorization policy; an operation without one fails the test.
/// </summary>
public sealed class AuthorizationMatrixTests(PortalFixture portal) : IClassFixture<PortalFixture>
{
    private static readonly Dictionary<string, Role> PolicyRoles = new(StringComparer.Ordinal)
    {
        [Policies.Agent] = Role.Agent,
        [Policies.Manager] = Role.Manager,
        [Policies.Admin] = Role.Admin,
    };

    [Fact]
    public async Task EveryOperationAnswersEachCallerAsItsRoleAllows()
    {
        using var admin = portal.CreateApiClient(PortalAppFactory.BootstrapApiKey);
        var document = JsonDocument.Parse(await admin.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative))).RootElement;
        var agentKey = JsonDocument.Parse(await (await admin.PostAsync(new Uri("/api/admin/api-keys", UriKind.Relative),
            new StringContent("""{"name":"matrix agent","role":"Agent"}""", Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync()).RootElement.GetProperty("key").GetString()!;
        using var anonymous = portal.CreateBrowserLikeClient();
        using var agentByKey = portal.CreateApiClient(agentKey);
        using var agentSignedIn = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(agentSignedIn, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword);
        using var manager = portal.CreateBrowserLikeClient();
        await PortalAppFactory.SignInAsync(manager, PortalAppFactory.ManagerEmail, PortalAppFactory.DemoPassword);
        var callers = new (string Name, HttpClient Client, Role? Role)[]
        {
            ("anonymous", anonymous, null), ("Agent key", agentByKey, Role.Agent), ("Agent sign-in", agentSignedIn, Role.Agent),
            ("Manager sign-in", manager, Role.Manager), ("Admin key", admin, Role.Admin),
        };

        var needs = RolesByOperation();
        var problems = new List<string>();
        var probed = 0;
        foreach (var path in document.GetProperty("paths").EnumerateObject().Where(p => p.Name.StartsWith("/api", StringComparison.Ordinal)))
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Name is "get" or "post" or "put" or "delete" or "patch"))
            {
                var method = operation.Name.ToUpperInvariant();
                if (!needs.TryGetValue((method, Normalise(path.Name)), out var needed))
                {
                    problems.Add($"{method} {path.Name}: no authorization policy on its endpoint");
                    continue;
                }

                // Destructive emergency stops are left to their own tests; their authorization is still probed below
                // by every caller but the Admin.
                var url = System.Text.RegularExpressions.Regex.Replace(path.Name, "\\{[^}]+\\}", Guid.NewGuid().ToString());
                foreach (var (name, client, role) in callers)
                {
                    if (role == Role.Admin && path.Name.EndsWith("pause-all", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    using var request = new HttpRequestMessage(new HttpMethod(method), url);
                    if (method is "POST" or "PUT" or "PATCH")
                    {
                        request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
                    }

                    using var response = await client.SendAsync(request);
                    probed++;
                    var status = (int)response.StatusCode;
                    var expected = role is null ? "401" : Allows(role.Value, needed) ? "neither 401, 403 nor 5xx" : "403";
                    var ok = role is null ? status == 401 : Allows(role.Value, needed) ? status is not (401 or 403) and < 500 : status == 403;
                    if (!ok)
                    {
                        problems.Add($"{method} {path.Name} as {name}: {status}, expected {expected}");
                    }
                }
            }
        }

        Assert.True(probed > 100, $"Only {probed} calls were probed.");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>
    /// Every page (each routed component of the portal) × anonymous, Agent, Manager and Admin: anonymous callers are
    /// sent to sign in unless the page allows them, roles below the page's policy get 403, the rest the page.
    /// </summary>
    [Fact]
    public async Task EveryPageAnswersEachRoleAsItsPolicyAllows()
    {
        var signedIn = new Dictionary<Role, HttpClient>();
        foreach (var (role, email, password) in new[]
        {
            (Role.Agent, PortalAppFactory.AgentEmail, PortalAppFactory.DemoPassword),
            (Role.Manager, PortalAppFactory.ManagerEmail, PortalAppFactory.DemoPassword),
            (Role.Admin, PortalAppFactory.AdminEmail, PortalAppFactory.AdminPassword),
        })
        {
            var client = portal.CreateBrowserLikeClient();
            await PortalAppFactory.SignInAsync(client, email, password);
            signedIn[role] = client;
        }

        using var anonymous = portal.CreateBrowserLikeClient();
        var pages = typeof(Program).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes(typeof(Microsoft.AspNetCore.Components.RouteAttribute), false).Cast<Microsoft.AspNetCore.Components.RouteAttribute>()
                .Select(r => (Type: t, Template: r.Template)))
            .ToList();
        var problems = new List<string>();
        foreach (var (type, template) in pages)
        {
            var url = System.Text.RegularExpressions.Regex.Replace(template, "\\{[^}]+:guid\\}", Guid.NewGuid().ToString());
            url = System.Text.RegularExpressions.Regex.Replace(url, "\\{[^}]+:int\\}", "404");
            var open = type.GetCustomAttributes(typeof(AllowAnonymousAttribute), true).Length > 0;
            var policy = type.GetCustomAttributes(typeof(AuthorizeAttribute), true).Cast<AuthorizeAttribute>().Select(a => a.Policy).OfType<string>().FirstOrDefault();
            var needed = policy is null ? Role.Agent : PolicyRoles[policy];
            if (!open && type.GetCustomAttributes(typeof(AuthorizeAttribute), true).Length == 0)
            {
                problems.Add($"{template}: neither [Authorize] nor [AllowAnonymous]");
                continue;
            }

            using (var response = await anonymous.GetAsync(new Uri(url, UriKind.Relative)))
            {
                var toSignIn = response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.OriginalString.Contains("/Account/Login", StringComparison.Ordinal);
                if (open ? (int)response.StatusCode >= 500 : !toSignIn)
                {
                    problems.Add($"{template} anonymous: {(int)response.StatusCode}");
                }
            }

            foreach (var (role, client) in signedIn)
            {
                using var response = await client.GetAsync(new Uri(url, UriKind.Relative));
                var status = (int)response.StatusCode;
                var ok = open || Allows(role, needed) ? status is < 400 or 404 : status == 403;
                if (!ok)
                {
                    problems.Add($"{template} as {role}: {status}");
                }
            }
        }

        foreach (var client in signedIn.Values)
        {
            client.Dispose();
        }

        Assert.True(pages.Count >= 15, $"Only {pages.Count} pages found.");
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    /// <summary>The role each API operation needs, from its endpoint's authorization policies (the strictest).</summary>
    private Dictionary<(string Method, string Path), Role> RolesByOperation()
    {
        var result = new Dictionary<(string, string), Role>();
        foreach (var endpoint in portal.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var path = "/" + (endpoint.RoutePattern.RawText ?? "").TrimStart('/');
            if (!path.StartsWith("/api", StringComparison.Ordinal))
            {
                continue;
            }

            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy).OfType<string>().Where(PolicyRoles.ContainsKey).ToList();
            var anyAuthenticated = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Any();
            if (policies.Count == 0 && !anyAuthenticated)
            {
                continue;
            }

            // Admin is the first role: the strictest policy is the lowest.
            var role = policies.Count == 0 ? Role.Agent : policies.Select(p => PolicyRoles[p]).Min();
            foreach (var method in endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? [])
            {
                result[(method, Normalise(path))] = role;
            }
        }

        return result;
    }

    /// <summary>A route template without its constraints, as the OpenAPI document writes it ({id:guid} → {id}).</summary>
    private static string Normalise(string path) => System.Text.RegularExpressions.Regex.Replace(path, "\\{([^}:]+)(:[^}]+)?\\}", "{$1}").TrimEnd('/');

    /// <summary>Admin comes first in <see cref="Role"/>, Agent last: a role allows what it or any after it needs.</summary>
    private static bool Allows(Role caller, Role needed) => caller <= needed;
}
