using Dcdm.Gpu.Devices;
using Dcdm.Models;
using Dcdm.Poisson;

namespace Dcdm.Gpu.Models;

/// <summary>
/// The one registry of direction models with device kernels: which models the device DCDM runs, and each one's device
/// direction. The catalog's device solvers, the device DCDM and the command line ask it; a new architecture on the
/// device is one entry here plus its own files.
/// </summary>
public static class DeviceDirections
{
    static readonly (Type Model, string Name, Func<GpuDevice, PoissonGrid, IDirectionModel, IDeviceDirection> Bind)[] Entries =
    [
        (typeof(KCycleDirectionModel), KCycleDirectionModel.ArchitectureName, (d, g, m) => DeviceCycleDirection.KCycle(d, g, (KCycleDirectionModel)m)),
        (typeof(VCycleDirectionModel), VCycleDirectionModel.ArchitectureName, (d, g, m) => DeviceCycleDirection.VCycle(d, g, (VCycleDirectionModel)m)),
        (typeof(StencilDirectionModel), StencilDirectionModel.ArchitectureName, (d, g, m) => new DeviceStencilNetwork(d, ((StencilDirectionModel)m).Stencils(g))),
    ];

    /// <summary>The architectures with device kernels, for messages.</summary>
    public static string Names => string.Join(", ", Entries.Select(e => e.Name));

    public static bool Supports(IDirectionModel model) => Entries.Any(e => e.Model == model.GetType());

    /// <exception cref="ArgumentException">The model has no device kernels.</exception>
    public static IDeviceDirection Bind(GpuDevice device, PoissonGrid grid, IDirectionModel model) =>
        Entries.FirstOrDefault(e => e.Model == model.GetType()).Bind?.Invoke(device, grid, model)
        ?? throw new ArgumentException($"{model.Description}: only the {Names} models have device kernels; run it on the CPU", nameof(model));
}
