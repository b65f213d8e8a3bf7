using Dcdm.Cli;

return await DcdmApp.RunAsync(args, CliConsole.System);
