using System.Net;
using AutomationPortal.Web.Features.InvoiceIntake;

namespace AutomationPortal.UnitTests.InvoiceIntake;

public sealed class WebhookTargetTests
{
    [Theory]
    [InlineData("169.254.169.254")]
    [InlineData("169.254.0.1")]
    [InlineData("::ffff:169.254.169.254")]
    [InlineData("fe80::1")]
    [InlineData("fd00:ec2::254")]
    [InlineData("0.0.0.0")]
    [InlineData("224.0.0.1")]
    [InlineData("100.100.100.200")]
    [InlineData("168.63.129.16")]
    [InlineData("64:ff9b::a9fe:a9fe")]
    [InlineData("2002:a9fe:a9fe::1")]
    [InlineData("::169.254.169.254")]
    public void LinkLocalMetadataAndNonAddressesAreRefusedEvenWithPrivateNetworksAllowed(string address) =>
        Assert.NotNull(WebhookTargets.Refusal(IPAddress.Parse(address), allowPrivateNetworks: true));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("10.1.2.3")]
    [InlineData("172.16.0.9")]
    [InlineData("192.168.1.20")]
    [InlineData("::1")]
    [InlineData("fd12:3456::7")]
    public void PrivateNetworksAreAllowedByDefaultAndRefusedWhenSwitchedOff(string address)
    {
        Assert.Null(WebhookTargets.Refusal(IPAddress.Parse(address), allowPrivateNetworks: true));
        Assert.Contains("AllowPrivateNetworks", WebhookTargets.Refusal(IPAddress.Parse(address), allowPrivateNetworks: false), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("93.184.216.34")]
    [InlineData("172.32.0.1")]
    [InlineData("2606:2800:220:1:248:1893:25c8:1946")]
    public void PublicAddressesAreAllowed(string address) =>
        Assert.Null(WebhookTargets.Refusal(IPAddress.Parse(address), allowPrivateNetworks: false));
}
