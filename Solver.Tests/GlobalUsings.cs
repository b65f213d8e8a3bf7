global using NUnit.Framework;
global using Dcdm.Poisson;
global using Dcdm.Solvers;
global using Dcdm.Tests.Reference;
