#!/usr/bin/env bash
# Packs Dcdm.Core and Dcdm.Training into a scratch folder, builds a console project outside the repository that
# references Dcdm.Training from there, and runs one torch call: libtorch loads only if the package's
# buildTransitive targets weakened GLIBCXX_3.4.32 (Debian 12). A unique version keeps the package cache honest.
#   scripts/package-check.sh        # prints "torch.ones(2).sum() = 2" and exits 0
set -euo pipefail
cd "$(dirname "$0")/.."
version="0.1.0-check.$(date +%s)"
tmp=$(mktemp -d); trap 'rm -rf "$tmp" "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/dcdm.*/"$version"' EXIT
for project in Solver.Core Solver.Training; do
  dotnet pack "$project" -c Release -p:Version="$version" -o "$tmp/feed" > /dev/null
done
mkdir "$tmp/consumer" && cd "$tmp/consumer"
cat > consumer.csproj <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable></PropertyGroup>
  <ItemGroup><PackageReference Include="Dcdm.Training" Version="$version" /></ItemGroup>
</Project>
XML
cat > nuget.config <<XML
<configuration><packageSources><add key="dcdm-check" value="$tmp/feed" /></packageSources></configuration>
XML
echo 'System.Console.WriteLine($"torch.ones(2).sum() = {TorchSharp.torch.ones(2).sum().item<float>()}");' > Program.cs
dotnet build -c Release > build.log || { grep -E "error" build.log | sort -u; exit 1; }
dotnet bin/Release/net10.0/consumer.dll
