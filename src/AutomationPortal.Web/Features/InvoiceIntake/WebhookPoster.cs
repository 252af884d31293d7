using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Net.Http.Headers;
using System.Net;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;
using Polly;

namespace AutomationPortal.Web.Features.InvoiceIntake;

/// <summary>How the portal calls webhooks: per attempt timeout, retries with backoff, and the circuit breaker.</summary>
public sealed class WebhookOptions
{
    public const string Section = "Portal:Webhooks";

    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>Retries after the first attempt, with exponential backoff from <see cref="BackoffMilliseconds"/>.</summary>
    [Range(0, 10)]
    public int Retries { get; set; } = 3;

    [Range(1, 60_000)]
    public int BackoffMilliseconds { get; set; } = 200;

    /// <summary>After repeated failures calls to the endpoint stop for this long, then one call tries again.</summary>
    [Range(1, 3600)]
    public int BreakSeconds { get; set; } = 30;

    /// <summary>
    /// Whether webhooks may reach loopback and private networks (an accounting server on the business's own network).
    /// Link-local and cloud metadata addresses are refused either way.
    /// </summary>
    public bool AllowPrivateNetworks { get; set; } = true;
}

/// <summary>A post that did not succeed after its retries, or was not tried because the endpoint keeps failing.</summary>
public sealed class WebhookFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// POSTs JSON to webhooks through Polly: a timeout per attempt, retries with exponential backoff and jitter for
/// network faults, 408, 429 and 5xx, and one circuit breaker per endpoint shared by every run, so an endpoint that
/// is down is not hammered. Each post carries an Idempotency-Key header: the receiver drops a repeat.
/// </summary>
public sealed class WebhookPoster(IHttpClientFactory clients, IOptions<WebhookOptions> options, ILogger<WebhookPoster> logger)
{
    public const string ClientName = "webhooks";
    private readonly ConcurrentDictionary<string, ResiliencePipeline<HttpResponseMessage>> _pipelines = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Forgets what the circuit breaker knows of an endpoint: after a person resumed the automation that posts to it,
    /// the next post is tried at once instead of failing unsent for the rest of the break.
    /// </summary>
    public void Reset(string url) => _pipelines.TryRemove(url, out _);

    /// <summary>Posts and returns the HTTP status; throws <see cref="WebhookFailedException"/> when it did not succeed.</summary>
    public async Task<int> PostAsync(string url, string idempotencyKey, byte[] json, CancellationToken cancellationToken, (string Header, string Value)? secret = null)
    {
        var pipeline = _pipelines.GetOrAdd(url, _ => Build(options.Value));
        var client = clients.CreateClient(ClientName);
        try
        {
            using var response = await pipeline.ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(json) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
                request.Headers.Add("Idempotency-Key", idempotencyKey);
                if (secret is { } header)
                {
                    request.Headers.TryAddWithoutValidation(header.Header, header.Value);
                }
                return await client.SendAsync(request, token);
            }, cancellationToken);
            if ((int)response.StatusCode is >= 300 and < 400)
            {
                throw new WebhookFailedException($"The webhook answered {(int)response.StatusCode} {response.ReasonPhrase}, a redirect to {response.Headers.Location?.ToString() ?? "another address"}; redirects are not followed. Set the webhook's final address.");
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new WebhookFailedException($"The webhook answered {(int)response.StatusCode} {response.ReasonPhrase}.");
            }

            return (int)response.StatusCode;
        }
        catch (BrokenCircuitException e)
        {
            throw new WebhookFailedException($"The webhook has failed repeatedly; calls are paused for up to {options.Value.BreakSeconds} s before it is tried again.", e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new WebhookFailedException($"The webhook did not answer within {options.Value.TimeoutSeconds} s.", e);
        }
        catch (HttpRequestException e)
        {
            logger.LogWarning("Webhook {Url} could not be reached: {Message}", url, e.Message);
            throw new WebhookFailedException($"The webhook could not be reached: {e.Message}", e);
        }
    }

    private static ResiliencePipeline<HttpResponseMessage> Build(WebhookOptions o)
    {
        var transient = new PredicateBuilder<HttpResponseMessage>()
            .Handle<HttpRequestException>()
            .Handle<TimeoutRejectedException>()
            .HandleResult(r => r.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500);
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage>();

        // Retries = 0 means one attempt only (Polly's retry strategy takes at least one retry).
        if (o.Retries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = transient,
                MaxRetryAttempts = o.Retries,
                BackoffType = DelayBackoffType.Exponential,
                Delay = TimeSpan.FromMilliseconds(o.BackoffMilliseconds),
                UseJitter = true,
            });
        }

        return builder
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                ShouldHandle = transient,
                FailureRatio = 0.5,
                MinimumThroughput = 4,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(o.BreakSeconds),
            })
            .AddTimeout(TimeSpan.FromSeconds(o.TimeoutSeconds))
            .Build();
    }
}
