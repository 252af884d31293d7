using Microsoft.Data.Sqlite;

namespace AutomationPortal.Web.Infrastructure.Data;

/// <summary>
/// Where the portal's SQLite file lives. <c>ConnectionStrings:Portal</c> sets it (the environment variable
/// <c>ConnectionStrings__Portal</c> replaces it whole); a relative path is resolved against the content root,
/// never the working folder, and its folder is created.
/// </summary>
public sealed class PortalDatabase
{
    public const string ConnectionStringName = "Portal";
    public const string DefaultConnectionString = "Data Source=data/portal.db";

    /// <summary>Seconds a connection waits on a locked database before giving up.</summary>
    public const int BusyTimeoutSeconds = 30;

    private PortalDatabase(string connectionString, string filePath)
    {
        ConnectionString = connectionString;
        FilePath = filePath;
    }

    public string ConnectionString { get; }

    public string FilePath { get; }

    public string DataFolder => Path.GetDirectoryName(FilePath)!;

    /// <summary>
    /// A plain ADO.NET connection for hot paths that write many rows, with the same settings as EF Core's
    /// (busy timeout, synchronous NORMAL, foreign keys) and <paramref name="extraPragmas"/> after them.
    /// </summary>
    public async Task<Microsoft.Data.Sqlite.SqliteConnection> OpenConnectionAsync(CancellationToken cancellationToken, string extraPragmas = "")
    {
        var connection = new Microsoft.Data.Sqlite.SqliteConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragmas = connection.CreateCommand();
#pragma warning disable CA2100 // constant text
        pragmas.CommandText = SqliteConnectionInterceptor.Pragmas + " " + extraPragmas;
#pragma warning restore CA2100
        await pragmas.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    /// <summary>The database of this app, resolved once and registered; features that configure against it share it.</summary>
    public static PortalDatabase For(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Services.FirstOrDefault(d => d.ServiceType == typeof(PortalDatabase))?.ImplementationInstance is PortalDatabase registered)
        {
            return registered;
        }

        var database = Resolve(builder.Configuration, builder.Environment.ContentRootPath);
        builder.Services.AddSingleton(database);
        return database;
    }

    public static PortalDatabase Resolve(IConfiguration configuration, string contentRoot)
    {
        var configured = configuration.GetConnectionString(ConnectionStringName);
        var builder = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(configured) ? DefaultConnectionString : configured);
        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            throw new InvalidOperationException(
                $"ConnectionStrings:{ConnectionStringName} must name a database file (for example '{DefaultConnectionString}'); the portal keeps its data on disk.");
        }

        var path = Path.GetFullPath(Path.IsPathRooted(builder.DataSource)
            ? builder.DataSource
            : Path.Combine(contentRoot, builder.DataSource));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);

        builder.DataSource = path;
        builder.DefaultTimeout = Math.Max(builder.DefaultTimeout, BusyTimeoutSeconds);
        builder.Pooling = true;
        return new PortalDatabase(builder.ToString(), path);
    }
}
