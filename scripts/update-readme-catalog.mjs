#!/usr/bin/env node
// Rewrites the check catalog table in README.md from the compiled catalog (run `npx tsc -p .` first).
import { readFileSync, writeFileSync } from 'node:fs';
import { replaceCatalog } from '../dist/render/catalog-table.js';

const readme = readFileSync('README.md', 'utf8');
const next = replaceCatalog(readme);
if (next === undefined) {
  console.error('README.md: check-catalog markers not found');
  process.exit(2);
}
writeFileSync('README.md', next);
console.log(next === readme ? 'README.md: catalog already current' : 'README.md: catalog updated');
