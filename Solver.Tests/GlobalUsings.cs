global using NUnit.Framework;
global using Dcdm.Tests.Reference;
