using System.ComponentModel.DataAnnotations;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Infrastructure.Data;
using Microsoft.Extensions.Options;

namespace AutomationPortal.Web.Features.Automations.Engine;

/// <summary>How long a run's turn in its concurrency group lasts without a heartbeat, and how often runs renew and ask.</summary>
public sealed class RunLeaseOptions : IValidatableObject
{
    public const string Section = "Portal:RunLeases";

    /// <summary>A turn not renewed for this long passes to the next run that asks: a killed or stalled portal's turn ends by itself.</summary>
    [Range(2, 3600)]
    public int ExpirySeconds { get; set; } = 30;

    /// <summary>How often the holder renews its turn; at most half of <see cref="ExpirySeconds"/>, so one missed beat is survived.</summary>
    [Range(1, 1800)]
    public int HeartbeatSeconds { get; set; } = 10;

    /// <summary>How often a waiting run asks for the turn again.</summary>
    [Range(50, 10_000)]
    public int PollMilliseconds { get; set; } = 250;

    public TimeSpan Expiry => TimeSpan.FromSeconds(ExpirySeconds);

    public TimeSpan Heartbeat => TimeSpan.FromSeconds(HeartbeatSeconds);

    public TimeSpan Poll => TimeSpan.FromMilliseconds(PollMilliseconds);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (HeartbeatSeconds * 2 > ExpirySeconds)
        {
            yield return new ValidationResult(
                $"{Section}:HeartbeatSeconds ({HeartbeatSeconds}) must be at most half of ExpirySeconds ({ExpirySeconds}), or a turn expires between two heartbeats.",
                [nameof(HeartbeatSeconds)]);
        }
    }
}

/// <summary>
/// The turns of concurrency groups (<see cref="IAutomationKind.ConcurrencyGroup"/>), as leases in the database, so they
/// hold across portal nodes: one row per group names the run holding it and when the turn expires. Taking a turn is one
/// statement (insert, or take over a row that has expired or whose holder run has ended), so of two runs asking at
/// once exactly one gets it; the holder renews it by heartbeat and removes it when done, and only its own.
/// </summary>
public sealed class RunLeases(PortalDatabase database, TimeProvider time, IOptions<RunLeaseOptions> options, ILogger<RunLeases> logger)
{
    private readonly TimeProvider _time = time;
    private readonly ILogger _logger = logger;

    /// <summary>This process, as the lease rows name their holder's node.</summary>
    public static string ThisNode { get; } = $"{Environment.MachineName}:{Environment.ProcessId}";

    private RunLeaseOptions Options => options.Value;

    /// <summary>
    /// Takes the group's turn for <paramref name="runId"/> when nobody holds it, its holder's lease expired, or its holder
    /// run has ended (a run cut off by a crash is marked so when the portal starts again). True when the run holds it now.
    /// </summary>
    public async Task<bool> TryAcquireAsync(string group, Guid runId, CancellationToken cancellationToken)
    {
        var now = Now;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO "RunLeases" ("Group", "HolderRunId", "HolderNode", "AcquiredAt", "ExpiresAt")
            VALUES ($group, $run, $node, $now, $expires)
            ON CONFLICT ("Group") DO UPDATE SET
                "HolderRunId" = excluded."HolderRunId", "HolderNode" = excluded."HolderNode",
                "AcquiredAt" = excluded."AcquiredAt", "ExpiresAt" = excluded."ExpiresAt"
            WHERE "RunLeases"."ExpiresAt" < excluded."AcquiredAt"
                OR "RunLeases"."HolderRunId" = excluded."HolderRunId"
                OR NOT EXISTS (SELECT 1 FROM "AutomationRuns" AS r WHERE r."Id" = "RunLeases"."HolderRunId" AND r."Status" = $running)
            """;
        command.Parameters.AddWithValue("$group", Checked(group));
        command.Parameters.AddWithValue("$run", BatchInserter.ToDb(runId));
        command.Parameters.AddWithValue("$node", ThisNode);
        command.Parameters.AddWithValue("$now", BatchInserter.ToDb(now));
        command.Parameters.AddWithValue("$expires", BatchInserter.ToDb(now + Options.Expiry));
        command.Parameters.AddWithValue("$running", nameof(RunStatus.Running));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>Extends the run's turn from now; returns the new expiry, or null when the run no longer holds it.</summary>
    public async Task<DateTime?> RenewAsync(string group, Guid runId, CancellationToken cancellationToken)
    {
        var expires = Now + Options.Expiry;
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """UPDATE "RunLeases" SET "ExpiresAt" = $expires WHERE "Group" = $group AND "HolderRunId" = $run""";
        command.Parameters.AddWithValue("$group", Checked(group));
        command.Parameters.AddWithValue("$run", BatchInserter.ToDb(runId));
        command.Parameters.AddWithValue("$expires", BatchInserter.ToDb(expires));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1 ? expires : null;
    }

    /// <summary>Ends the run's turn; a turn another run holds now (it took over an expired one) is left alone.</summary>
    public async Task<bool> ReleaseAsync(string group, Guid runId, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """DELETE FROM "RunLeases" WHERE "Group" = $group AND "HolderRunId" = $run""";
        command.Parameters.AddWithValue("$group", Checked(group));
        command.Parameters.AddWithValue("$run", BatchInserter.ToDb(runId));
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Waits for the group's turn, asking every <see cref="RunLeaseOptions.PollMilliseconds"/>; says the group's waiting
    /// message once (through <paramref name="log"/>) when the turn is not free at once. Returns the held turn, renewed
    /// by heartbeat until disposed, or null when <paramref name="giveUp"/> says the run must not wait any longer (its
    /// automation was paused).
    /// </summary>
    public async Task<HeldLease?> WaitTurnAsync(ConcurrencyGroup group, Guid runId, Action<string> log, Func<CancellationToken, Task<bool>> giveUp, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(log);
        ArgumentNullException.ThrowIfNull(giveUp);
        var waiting = false;
        while (!await TryAcquireAsync(group.Name, runId, cancellationToken))
        {
            if (!waiting)
            {
                waiting = true;
                log(group.WaitingMessage);
            }

            if (await giveUp(cancellationToken))
            {
                return null;
            }

            await Task.Delay(Options.Poll, _time, cancellationToken);
        }

        return new HeldLease(this, group.Name, runId, Now + Options.Expiry);
    }

    private DateTime Now => _time.GetUtcNow().UtcDateTime;

    private static string Checked(string group)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(group);
        return group.Length <= RunLeaseConfiguration.GroupLength ? group
            : throw new ArgumentException($"A concurrency group's name has at most {RunLeaseConfiguration.GroupLength} characters: '{group}'.", nameof(group));
    }

    /// <summary>
    /// A turn held by a run. A heartbeat renews it every <see cref="RunLeaseOptions.HeartbeatSeconds"/>; should the turn
    /// be found taken over (this process stalled past its expiry and another run took it), or be past its expiry without
    /// a renewal the database confirmed, <see cref="Lost"/> is cancelled: the run must stop, as it no longer has the turn.
    /// Disposing stops the heartbeat and ends the turn, if it is still this run's.
    /// </summary>
    public sealed class HeldLease : IAsyncDisposable
    {
        private readonly RunLeases _leases;
        private readonly CancellationTokenSource _lost = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _heartbeat;
        private string? _lostReason;

        internal HeldLease(RunLeases leases, string group, Guid runId, DateTime expires)
        {
            _leases = leases;
            Group = group;
            RunId = runId;
            // Started here, so its first beat is timed from the moment the turn was taken.
            _heartbeat = BeatAsync(expires);
        }

        public string Group { get; }

        public Guid RunId { get; }

        /// <summary>Cancelled when the run no longer holds its turn.</summary>
        public CancellationToken Lost => _lost.Token;

        public bool IsLost => _lost.IsCancellationRequested;

        /// <summary>Why the turn was lost, in words for the run log; null while it is held.</summary>
        public string? LostReason => Volatile.Read(ref _lostReason);

        private async Task BeatAsync(DateTime expires)
        {
            var options = _leases.Options;
            var token = _stop.Token;
            try
            {
                while (true)
                {
                    await Task.Delay(options.Heartbeat, _leases._time, token);
                    DateTime? renewed;
                    try
                    {
                        renewed = await _leases.RenewAsync(Group, RunId, token);
                        if (renewed is null)
                        {
                            await LoseAsync($"its turn in the {Group} group passed to another run while this one did not renew it in time (the portal stalled or could not reach the database for {options.ExpirySeconds} s).");
                            return;
                        }

                        expires = renewed.Value;
                    }
                    catch (Exception e) when (e is not OperationCanceledException)
                    {
                        _leases._logger.LogWarning(e, "Run {RunId} could not renew its turn in the {Group} group.", RunId, Group);
                        if (_leases.Now >= expires)
                        {
                            await LoseAsync($"its turn in the {Group} group expired while the database could not be reached to renew it.");
                            return;
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // Disposed: the run is over.
            }
        }

        private async Task LoseAsync(string reason)
        {
            Volatile.Write(ref _lostReason, reason);
            _leases._logger.LogWarning("Run {RunId} lost its turn: {Reason}", RunId, reason);
            await _lost.CancelAsync();
        }

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            await _heartbeat;
            try
            {
                await _leases.ReleaseAsync(Group, RunId, CancellationToken.None);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The turn then ends with its expiry.
                _leases._logger.LogWarning(e, "Run {RunId} could not end its turn in the {Group} group; it expires by itself.", RunId, Group);
            }

            _stop.Dispose();
            _lost.Dispose();
        }
    }
}

/// <summary>Registers the engine's concurrency-group leases and their options (<c>Portal:RunLeases</c>).</summary>
public static class RunLeasesModule
{
    /// <summary>The run leases and their options; part of <c>AddAutomations</c>, and on their own for a host without the web app (benchmarks).</summary>
    public static IServiceCollection AddRunLeases(this IServiceCollection services)
    {
        services.AddOptions<RunLeaseOptions>().BindConfiguration(RunLeaseOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<RunLeases>();
        return services;
    }
}
