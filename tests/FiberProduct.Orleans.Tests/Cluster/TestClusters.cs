using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;

namespace FiberProduct.Orleans.Tests.Cluster;

/// <summary>
/// Real Orleans clusters in this process: silos with their own networking on localhost, the in-process membership
/// table, and a client. Membership is tuned to declare a dead silo dead within a few seconds, as a production
/// cluster is tuned to its network.
/// </summary>
internal static class TestClusters
{
    public static async Task<InProcessTestCluster> StartAsync(short silos, Action<ISiloBuilder>? configure = null)
    {
        var builder = new InProcessTestClusterBuilder(silos);
        if (configure is not null) builder.ConfigureSilo((_, silo) => configure(silo));
        builder.ConfigureSilo((_, silo) => silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = TimeSpan.FromMilliseconds(500);
            o.NumMissedProbesLimit = 2;
            o.NumVotesForDeathDeclaration = 1;
            o.TableRefreshTimeout = TimeSpan.FromSeconds(1);
            o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(1);
        }));
        builder.ConfigureClient(client => client.Configure<ClientMessagingOptions>(o =>
            o.ResponseTimeout = TimeSpan.FromSeconds(30)));
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}

/// <summary>Three silos shared by the tests that do not stop any (xUnit's assembly fixture).</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    private InProcessTestCluster? cluster;

    public IClusterClient Client => cluster!.Client;

    public async ValueTask InitializeAsync() => cluster = await TestClusters.StartAsync(3);

    public async ValueTask DisposeAsync()
    {
        if (cluster is not null) await cluster.DisposeAsync();
    }
}
