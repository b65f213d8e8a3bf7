namespace Dcdm.Cli.Bench;

/// <summary>
/// One measurement of dcdm bench: Seconds on the host clock (launch to synchronised end); DeviceSeconds from device
/// events where measured (0 otherwise), and then the bandwidth is computed from it.
/// </summary>
sealed record BenchRow(string Name, double Seconds, double Bytes, string Note, double DeviceSeconds = 0)
{
    public BenchRow(string name, (double Host, double Device) time, double bytes, string note) : this(name, time.Host, bytes, note, time.Device) { }
    public double BandwidthSeconds => DeviceSeconds > 0 ? DeviceSeconds : Seconds;
    /// <summary>Bytes over the bandwidth time; null without bytes, or when a tiny kernel ran below the clock's resolution (0 s).</summary>
    public double? GigabytesPerSecond => Bytes > 0 && BandwidthSeconds > 0 ? Bytes / BandwidthSeconds / 1e9 : null;
}
