namespace Dcdm.Solvers;

/// <summary>The product the host Krylov loops multiply by: a CSR matrix on the unknowns, or a grid's or a voxel operator's stencil on the full grid.</summary>
internal interface IHostOperator
{
    /// <summary>r = b - A x; returns ||r||.</summary>
    double Residual(double[] b, double[] x, double[] r);
    /// <summary>q = A p; returns p.q.</summary>
    double MultiplyAndDot(double[] p, double[] q);
}
