// Files that ship beside the code (migrations, the dashboard) are found by walking up
// from this module, so the same code works from src/ (tsx) and from a compiled copy.
import { existsSync } from 'node:fs';

/** The nearest `relative` path above this module, or the repository-relative guess. */
export function findUp(relative: string): URL {
  for (let dir = new URL('./', import.meta.url); ; dir = new URL('../', dir)) {
    const candidate = new URL(relative, dir);
    if (existsSync(candidate)) return candidate;
    if (dir.pathname === '/') return new URL(`../${relative}`, import.meta.url);
  }
}
