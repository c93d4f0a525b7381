// A FiberProduct silo on localhost (docs/distributed.md): dotnet run docs/examples/distributed/silo.cs -- 0
// Silo 0 listens on 11111 (silo) and 30000 (gateway) and keeps the cluster's membership (localhost clustering);
// silo 1 on 11112 and 30001 joins it. It holds text shards for DistributedFiberProduct clients until killed.
#:project ../../../src/FiberProduct.Orleans/FiberProduct.Orleans.csproj
// Orleans builds its serializers at run time, which a native-AOT build (the default of file-based apps) forbids.
#:property PublishAot=false
#:package Microsoft.Orleans.Server

using System.Globalization;
using System.Net;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

int index = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 0;
var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Error);
builder.UseOrleans(silo =>
{
    silo.UseLocalhostClustering(siloPort: 11111 + index, gatewayPort: 30000 + index,
        primarySiloEndpoint: new IPEndPoint(IPAddress.Loopback, 11111), serviceId: "fiberproduct", clusterId: "local");
    // Declare a dead silo dead within a few seconds (the defaults take tens of seconds), so that its shards move soon.
    silo.Configure<ClusterMembershipOptions>(o =>
    {
        o.ProbeTimeout = TimeSpan.FromSeconds(1);
        o.NumMissedProbesLimit = 2;
        o.NumVotesForDeathDeclaration = 1;
    });
});
using var host = builder.Build();
await host.StartAsync();
Console.WriteLine($"silo {index} ready: silo port {11111 + index}, gateway port {30000 + index}, "
    + $"process {Environment.ProcessId}");
await host.WaitForShutdownAsync();
