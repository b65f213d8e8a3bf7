using Dcdm.Models;
using Dcdm.Simulation;

namespace Dcdm.Tests.Simulation;

/// <summary>The smoke and liquid examples for a few steps at 16^3: every projection removes the divergence.</summary>
public class SimulationTests
{
    static PressureSolver Solver(SolveMethod method) => new(method, new SolverOptions { Tolerance = 1e-6 }, StencilDirectionModel.Shipped());

    static void AssertProjected(SimulationStep step)
    {
        Assert.That(step.Solve.Status, Is.EqualTo(SolveStatus.Converged), $"step {step.Step}: {step.Solve.Message}");
        Assert.That(step.DivergenceBefore, Is.GreaterThan(0), $"step {step.Step}: the step made divergence to remove");
        Assert.That(step.DivergenceAfter, Is.LessThanOrEqualTo(1e-5 * step.DivergenceBefore), $"step {step.Step}: relative divergence {step.RelativeDivergence:e2}");
    }

    /// <summary>||div u|| on the fluid cells by a plain loop over the faces, not the simulation's own code.</summary>
    static double Divergence(PoissonGrid grid, MacVelocity u)
    {
        double sum = 0;
        for (int k = 0; k < grid.Nz; k++)
            for (int j = 0; j < grid.Ny; j++)
                for (int i = 0; i < grid.Nx; i++)
                {
                    if (grid[i, j, k] != CellType.Fluid) continue;
                    double d = u.U.Values[u.U.Index(i + 1, j, k)] - u.U.Values[u.U.Index(i, j, k)] + u.V.Values[u.V.Index(i, j + 1, k)]
                             - u.V.Values[u.V.Index(i, j, k)] + u.W.Values[u.W.Index(i, j, k + 1)] - u.W.Values[u.W.Index(i, j, k)];
                    sum += d * d;
                }
        return Math.Sqrt(sum);
    }

    [TestCaseSource(typeof(GridMethods), nameof(GridMethods.Cases))]
    public void SmokeRisesAndEveryProjectionLeavesAtMost1eMinus5OfTheDivergence(SolveMethod method)
    {
        using var solver = Solver(method);
        var smoke = new SmokeSimulation(16, solver);
        for (int s = 0; s < 10; s++)
        {
            var step = smoke.Step();
            AssertProjected(step);
            Assert.That(Divergence(smoke.Domain, smoke.Velocity), Is.EqualTo(step.DivergenceAfter).Within(1e-9 + 1e-6 * step.DivergenceAfter));
            if (s > 0) Assert.That(step.Rebuilt, Is.False, "the smoke domain never changes: set up once");
        }
        Assert.That(solver.SetupCount, Is.EqualTo(1));
        // the smoke left the source (z <= 2) and moves up
        var density = smoke.Density;
        double above = 0;
        for (int k = 4; k < 16; k++) for (int j = 0; j < 16; j++) for (int i = 0; i < 16; i++) above += density[i, j, k];
        Assert.That(above, Is.GreaterThan(0.1), "smoke above the source");
        Assert.That(smoke.Velocity.W.Values.Max(), Is.GreaterThan(0), "an updraft");
        for (int c = 0; c < smoke.Domain.CellCount; c++)
            if (smoke.Domain.Cells[c] == CellType.Solid) Assert.That(smoke.Projection.Pressure[c], Is.Zero);
    }

    [TestCaseSource(typeof(GridMethods), nameof(GridMethods.Cases))]
    public void TheDamBreaksTheDomainChangesEveryFewStepsAndMassStaysPlausible(SolveMethod method)
    {
        using var solver = Solver(method);
        var liquid = new LiquidSimulation(16, solver);
        int initial = liquid.Domain.FluidCount;
        var previous = liquid.Domain;
        int changes = 0;
        for (int s = 0; s < 8; s++)
        {
            var step = liquid.Step();
            AssertProjected(step);
            Assert.That(Divergence(liquid.Domain, liquid.Velocity), Is.LessThan(1e-3 * step.DivergenceBefore + 1e-9),
                "re-measured after the particles moved: the velocity on this step's fluid cells was not changed by the extrapolation");
            bool changed = !previous.Cells.SequenceEqual(liquid.Domain.Cells);
            Assert.That(step.Rebuilt, Is.EqualTo(changed || s == 0), $"step {s}: re-built exactly when the flags changed");
            if (changed) changes++;
            previous = liquid.Domain;
            Assert.That(step.FluidCells, Is.InRange(0.8 * initial, 1.3 * initial), $"step {s}: fluid cells {step.FluidCells}, {initial} at the start");
        }
        Assert.That(changes, Is.GreaterThanOrEqualTo(3), "the free surface moved");
        Assert.That(liquid.Domain.FluidCount, Is.Not.EqualTo(initial));
        // the column spreads along +x: liquid beyond the dam's initial face (x < 6)
        bool spread = false;
        for (int k = 0; k < 16; k++) for (int j = 0; j < 16; j++) spread |= liquid.Domain[7, j, k] == CellType.Fluid;
        Assert.That(spread, Is.True, "liquid beyond the dam after 8 steps");
    }
}
