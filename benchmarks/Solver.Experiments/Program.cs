using Dcdm.Experiments;

// dotnet run -c Release --project benchmarks/Solver.Experiments -- smoother-weights [fit families] [fit size] [eval families] [eval size] [sweeps]
// dotnet run -c Release --project benchmarks/Solver.Experiments -- prolongation-shape [fit families] [fit size] [eval families] [eval size]
// dotnet run -c Release --project benchmarks/Solver.Experiments -- stress-geometries [shapes] [sizes]
string[] all = ["baffles", "slits", "porous", "columns", "rocks", "obstacles", "tank", "pockets", "dambreak"];
if (args.Length == 0 || args[0] is not ("smoother-weights" or "prolongation-shape" or "stress-geometries"))
{
    Console.Error.WriteLine("usage: smoother-weights [fit families, comma-separated] [fit size] [evaluation families] [evaluation size] [sweeps]");
    Console.Error.WriteLine("       prolongation-shape [fit families, comma-separated] [fit size] [evaluation families] [evaluation size]");
    Console.Error.WriteLine($"       stress-geometries [shapes, comma-separated: {string.Join(",", StressGeometries.Shapes)}] [sizes, comma-separated: 32,64,128]");
    Console.Error.WriteLine($"  defaults: {string.Join(",", all)} 32 (the same families) 64 2");
    return 2;
}
string[] Families(int at) => args.Length > at ? args[at].Split(',') : all;
int Size(int at, int otherwise) => args.Length <= at ? otherwise
    : int.TryParse(args[at], out int n) && n > 0 ? n : throw new ArgumentException($"argument {at + 1}: a positive whole number, got '{args[at]}'");
if (args[0] == "stress-geometries")
{
    var sizes = args.Length > 2 ? args[2].Split(',').Select(n => int.TryParse(n, out int size) && size > 0 ? size
        : throw new ArgumentException($"argument 3: sizes as positive whole numbers, comma-separated (e.g. 32,64), got '{args[2]}'")).ToArray() : [32, 64, 128];
    foreach (var line in StressGeometries.Table(args.Length > 1 ? args[1].Split(',') : StressGeometries.Shapes, sizes)) Console.WriteLine(line);
    return 0;
}
if (args[0] == "prolongation-shape")
{
    var shape = new ProlongationShapeOracle(Families(1), Size(2, 32));
    foreach (var line in shape.Fit()) Console.WriteLine(line);
    foreach (var line in shape.Evaluate(Families(3), Size(4, 64))) Console.WriteLine(line);
    return 0;
}
var oracle = new SmootherWeightOracle(Families(1), Size(2, 32), sweeps: Size(5, 2));
foreach (var line in oracle.Fit()) Console.WriteLine(line);
foreach (var line in oracle.Evaluate(Families(3), Size(4, 64))) Console.WriteLine(line);
return 0;
