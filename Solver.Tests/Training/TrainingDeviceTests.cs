using Dcdm.Training;
using TorchSharp;
using static Dcdm.Tests.Cli.DcdmProcess;

namespace Dcdm.Tests.Training;

public class TrainingDeviceTests
{
    [Test]
    public void CpuIsTheDefaultAndCudaIsTakenOnlyWhenTorchSharpReportsIt()
    {
        Assert.That(TrainingDevice.Resolve("cpu").type, Is.EqualTo(DeviceType.CPU));
        bool hasCuda = torch.cuda.is_available();
        Assert.That(TrainingDevice.Resolve("auto").type, Is.EqualTo(hasCuda ? DeviceType.CUDA : DeviceType.CPU));
        if (hasCuda) Assert.That(TrainingDevice.Resolve("cuda").type, Is.EqualTo(DeviceType.CUDA));
        else Assert.That(Assert.Throws<ArgumentException>(() => TrainingDevice.Resolve("cuda"))!.Message, Does.Contain("DcdmTorchBackend=cuda"));
        Assert.Throws<ArgumentException>(() => TrainingDevice.Resolve("tpu"));
    }

    [Test]
    public void TrainWithDeviceCudaWithoutCudaIsOneLineAndExitTwo()
    {
        Assume.That(torch.cuda.is_available(), Is.False, "this machine has CUDA: the refusal cannot happen");
        string folder = TestData.TempFolder();
        Assert.That(RunTrain("generate-data", "-o", Path.Combine(folder, "data"), "--size", "6", "--samples", "4", "--ritz", "12", "--theta", "2").code, Is.EqualTo(0));
        var (code, output, error) = RunTrain("train", "--data", Path.Combine(folder, "data"), "-o", Path.Combine(folder, "run"), "--device", "cuda", "--batch", "4");
        Assert.That(code, Is.EqualTo(2), output);
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1), error);
        Assert.That(error, Does.StartWith("dcdm-train: --device cuda"));
    }
}
