# Sourced by the table scripts: the repository root, a Release build of the CLI as $dcdm (TOOL=dcdm-train: that tool), a scratch folder $tmp
# removed on exit, and Debian's PETSc (petsc4py) as $py when installed ($peer = 1), else $peer = 0.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
if [ "${TOOL:-dcdm}" = dcdm-train ]; then # the training tool: every dcdm command plus the TorchSharp engines (the paper network)
  dcdm="dotnet Solver.Training.Cli/bin/Release/net10.0/dcdm-train.dll"; dotnet build Solver.Training.Cli -c Release > /dev/null
else
  dcdm="dotnet Solver.Cli/bin/Release/net10.0/dcdm.dll"; dotnet build Solver.Cli -c Release > /dev/null
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
py="${PYTHON:-/usr/bin/python3}" # Debian's python, where apt puts petsc4py (a pyenv python lacks it)
export PETSC_DIR="${PETSC_DIR:-/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real}"
# an if, not "&& peer=1": that list fails without petsc4py, and as the last line it would fail the sourcing script (set -e)
peer=0; if "$py" -c "import petsc4py" 2> /dev/null; then peer=1; fi
