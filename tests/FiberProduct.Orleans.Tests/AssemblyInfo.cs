using FiberProduct.Orleans.Tests.Cluster;

[assembly: AssemblyFixture(typeof(ClusterFixture))]
