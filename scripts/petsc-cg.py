#!/usr/bin/env python3
"""Side-by-side peer: PETSc CG on a Matrix Market system, timed per iteration.

Usage: python3 scripts/petsc-cg.py A.mtx b.mtx [--pc none|jacobi|icc|hypre|gamg] [--tol 1e-6] [--repeat 3]
Needs Debian's python3-petsc4py-real and python3-scipy (see docs/benchmarks.md); run it with /usr/bin/python3.
Prints iterations, true relative residual, the set-up time (the preconditioner's: hypre is BoomerAMG) and
the solve time (best of --repeat solves). A matrix whose rows all sum to zero gets the constants as null space.
"""
import argparse, time
import numpy as np
import scipy.io, scipy.sparse
import petsc4py
petsc4py.init()
from petsc4py import PETSc

ap = argparse.ArgumentParser()
ap.add_argument("matrix"); ap.add_argument("rhs")
ap.add_argument("--pc", default="none"); ap.add_argument("--tol", type=float, default=1e-6)
ap.add_argument("--repeat", type=int, default=3)
a = ap.parse_args()

A = scipy.sparse.csr_matrix(scipy.io.mmread(a.matrix))
b = np.asarray(scipy.io.mmread(a.rhs)).ravel()
keep = np.flatnonzero(np.diff(A.indptr) > 0)  # zero rows are not unknowns, as in dcdm
A = A[keep][:, keep].tocsr(); b = b[keep]
M = PETSc.Mat().createAIJ(size=A.shape, csr=(A.indptr.astype(PETSc.IntType), A.indices.astype(PETSc.IntType), A.data))
M.assemble()
ksp = PETSc.KSP().create(); ksp.setOperators(M); ksp.setType("cg"); ksp.getPC().setType(a.pc)
ksp.setNormType(PETSc.KSP.NormType.UNPRECONDITIONED)
ksp.setTolerances(rtol=a.tol, atol=0.0, max_it=100000)
if np.allclose(np.asarray(A.sum(axis=1)).ravel(), 0.0):
    M.setNullSpace(PETSc.NullSpace().create(constant=True))
t = time.perf_counter(); ksp.setUp(); setup = time.perf_counter() - t
bv = M.createVecLeft(); bv.setArray(b); x = M.createVecRight()
best = None
for _ in range(a.repeat):
    x.set(0.0)
    t = time.perf_counter(); ksp.solve(bv, x); dt = time.perf_counter() - t
    best = dt if best is None else min(best, dt)
its = ksp.getIterationNumber()
r = bv.duplicate(); M.mult(x, r); r.aypx(-1.0, bv)
print(f"petsc {PETSc.Sys.getVersion()} cg pc={a.pc} unknowns={A.shape[0]} nnz={A.nnz} iterations={its} "
      f"relres={r.norm()/bv.norm():.3e} setup_s={setup:.4f} solve_s={best:.4f} ms_per_iteration={1e3*best/max(its,1):.3f} reason={ksp.getConvergedReason()}")
