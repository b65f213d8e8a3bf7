using Dcdm.Poisson;

namespace Dcdm.Simulation;

/// <summary>A time-stepped flow whose every step ends with a pressure projection (<see cref="PressureProjection"/>).</summary>
public interface IFlowSimulation
{
    /// <summary>"smoke", "cut-cell", "liquid": the example's name on the command line.</summary>
    string Name { get; }
    /// <summary>Steps done so far.</summary>
    int StepCount { get; }
    /// <summary>The last step's domain (its pressure system's flags); before the first step, the initial one.</summary>
    PoissonGrid Domain { get; }
    /// <summary>The projection, with the last step's right-hand side and pressure.</summary>
    PressureProjection Projection { get; }
    /// <summary>What a picture of the flow shows, e.g. "smoke density".</summary>
    string ShownQuantity { get; }

    /// <summary>Advances one time step; the library never prints, the result says what happened.</summary>
    SimulationStep Step(CancellationToken cancellation = default);

    /// <summary>The shown quantity, one value per cell (x fastest).</summary>
    double[] ShownField();
}
