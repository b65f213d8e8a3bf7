namespace Dcdm.Solvers;

/// <summary>DCDM's learned direction on a backend's vectors: q = f(r / ||r||) on the unknowns (0 elsewhere).</summary>
internal interface IDirectionSource<TVector>
{
    void Direction(TVector r, double rNorm, TVector q);
}
