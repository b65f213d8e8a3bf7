using Dcdm.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Dcdm.Training.Models;

/// <summary>Moves a network's parameters to and from the model file (tensor names are the parameter names).</summary>
public static class NetworkFile
{
    public static ModelFile Export(nn.Module module, IReadOnlyDictionary<string, string> metadata)
    {
        var file = new ModelFile();
        foreach (var (k, v) in metadata) file.Metadata[k] = v;
        foreach (var (name, p) in module.named_parameters())
        {
            using var cpu = p.detach().cpu().contiguous();
            file.Tensors[name] = new ModelTensor(p.shape.Select(d => (int)d).ToArray(), cpu.data<float>().ToArray());
        }
        return file;
    }

    /// <summary>Copies every parameter from the file; a missing tensor or a shape mismatch names the tensor.</summary>
    public static void Import(nn.Module module, ModelFile file)
    {
        using var _ = no_grad();
        foreach (var (name, p) in module.named_parameters())
        {
            var t = file.Tensor(name, p.shape.Select(d => (int)d).ToArray());
            p.copy_(tensor(t.Values, p.shape));
        }
    }
}
