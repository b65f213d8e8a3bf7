namespace Dcdm.Tests;

/// <summary>Paths of the shipped test matrices (copied next to the test assembly) and scratch folders.</summary>
public static class TestData
{
    public static string Matrix(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "data", "matrices", name);

    /// <summary>A shipped model of data/models (copied next to the test assembly).</summary>
    public static string Model(string name) => Path.Combine(TestContext.CurrentContext.TestDirectory, "data", "models", name);

    /// <summary>The SPD matrices of data/matrices (fluid16 has its own right-hand side).</summary>
    public static readonly string[] SpdMatrices = ["nos6.mtx", "lap3D_7pt_n20.mtx", "Laplace3D10.mtx", "1138_bus.mtx", "ani4.mtx", "fluid16_A.mtx"];

    public static string TempFolder()
    {
        string dir = Path.Combine(Path.GetTempPath(), "dcdm-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }
}
