using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Dcdm.Benchmarks.QuadCopyKernel).Assembly).Run(args);
