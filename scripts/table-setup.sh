# Sourced by the table scripts: the repository root, a Release build of the CLI as $dcdm, a scratch folder $tmp
# removed on exit, and Debian's PETSc (petsc4py) as $py when installed ($peer = 1), else $peer = 0.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
dcdm="dotnet Solver.Cli/bin/Release/net10.0/dcdm.dll"
dotnet build Solver.Cli -c Release > /dev/null
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
py="${PYTHON:-/usr/bin/python3}" # Debian's python, where apt puts petsc4py (a pyenv python lacks it)
export PETSC_DIR="${PETSC_DIR:-/usr/lib/petscdir/petsc3.18/x86_64-linux-gnu-real}"
peer=0; "$py" -c "import petsc4py" 2> /dev/null && peer=1
