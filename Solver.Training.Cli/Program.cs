using Dcdm.Cli;
using Dcdm.Training.Cli;

return await DcdmApp.RunAsync(args, CliConsole.System, TrainingTool.Create());
