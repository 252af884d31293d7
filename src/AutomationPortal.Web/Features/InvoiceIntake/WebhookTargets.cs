using System.Net.Sockets;
using System.Net;
using AutomationPortal.Web.Features.Automations.Kinds;
using AutomationPortal.Web.Features.Automations.Model;
using AutomationPortal.Web.Features.Automations;

namespace AutomationPortal.Web.Features.InvoiceIntake;

/// <summary>
/// Which addresses a webhook may reach. Link-local and cloud metadata addresses never (they answer with the host's
/// credentials); loopback and private networks only while <see cref="WebhookOptions.AllowPrivateNetworks"/> is on, as
/// a small business's accounting server often sits on its own network. Judged on the address actually connected to,
/// after the name was resolved, so a name cannot be swapped for another address after a check.
/// </summary>
public static class WebhookTargets
{
    private static readonly IPAddress AwsMetadataV6 = IPAddress.Parse("fd00:ec2::254");

    /// <summary>Cloud metadata and host services outside 169.254.0.0/16: Alibaba, Oracle, Azure's wire server.</summary>
    private static readonly IPAddress[] MetadataV4 = [IPAddress.Parse("100.100.100.200"), IPAddress.Parse("192.0.0.192"), IPAddress.Parse("168.63.129.16")];

    /// <summary>An IPv4 address carried inside an IPv6 one (mapped, compatible, NAT64 64:ff9b::/96, 6to4 2002::/16), or the address itself.</summary>
    private static IPAddress Unwrap(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address;
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        var b = address.GetAddressBytes();
        var compatible = b.Take(12).All(x => x == 0) && !(b[12] == 0 && b[13] == 0 && b[14] == 0 && b[15] <= 1);
        var nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b.Skip(4).Take(8).All(x => x == 0);
        if (compatible || nat64)
        {
            return new IPAddress(b[12..16]);
        }

        return b[0] == 0x20 && b[1] == 0x02 ? new IPAddress(b[2..6]) : address;
    }

    /// <summary>Why the portal will not connect to <paramref name="address"/>, or null when it may.</summary>
    public static string? Refusal(IPAddress address, bool allowPrivateNetworks)
    {
        ArgumentNullException.ThrowIfNull(address);
        address = Unwrap(address);
        var bytes = address.GetAddressBytes();
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            if (MetadataV4.Contains(address))
            {
                return $"{address} is a cloud metadata or host service address; webhooks never go there.";
            }

            if (bytes[0] == 169 && bytes[1] == 254)
            {
                return $"{address} is a link-local address (169.254.0.0/16, where cloud metadata services answer); webhooks never go there.";
            }

            if (bytes[0] == 0 || (bytes[0] >= 224))
            {
                return $"{address} is not an address a webhook can be posted to.";
            }

            var isPrivate = bytes[0] == 127 || bytes[0] == 10 || (bytes[0] == 172 && bytes[1] >= 16 && bytes[1] <= 31)
                || (bytes[0] == 192 && bytes[1] == 168) || (bytes[0] == 100 && bytes[1] >= 64 && bytes[1] <= 127);
            return isPrivate && !allowPrivateNetworks ? PrivateRefusal(address) : null;
        }

        if (address.Equals(AwsMetadataV6))
        {
            return $"{address} is a cloud metadata address; webhooks never go there.";
        }

        if (address.IsIPv6LinkLocal || (bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80))
        {
            return $"{address} is a link-local address (fe80::/10); webhooks never go there.";
        }

        if (address.IsIPv6Multicast || address.Equals(IPAddress.IPv6Any))
        {
            return $"{address} is not an address a webhook can be posted to.";
        }

        var privateV6 = IPAddress.IsLoopback(address) || (bytes[0] & 0xfe) == 0xfc || address.IsIPv6SiteLocal;
        return privateV6 && !allowPrivateNetworks ? PrivateRefusal(address) : null;
    }

    private static string PrivateRefusal(IPAddress address) =>
        $"{address} is on a private network or this machine, and Portal:Webhooks:AllowPrivateNetworks is false.";

    /// <summary>
    /// The connection step of the webhook client: resolves the host and connects only to an allowed address, so the
    /// address checked is the address used.
    /// </summary>
    public static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, bool allowPrivateNetworks, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, cancellationToken);
        string? refused = null;
        foreach (var address in addresses)
        {
            if (Refusal(address, allowPrivateNetworks) is { } reason)
            {
                refused ??= reason;
                continue;
            }

            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(address, endpoint.Port), cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        }

        throw new HttpRequestException(refused is null ? $"{endpoint.Host} has no address." : $"Not posted: {refused}");
    }
}
