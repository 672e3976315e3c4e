/**
 * @module snapshot
 * Reading node snapshots (JSON file, directory, .tar.gz) and writing the directory form.
 */
export { loadSnapshot, loadSnapshots, parseSnapshotJson } from './load.js';
export { writeSnapshotDir } from './write-dir.js';
export { SnapshotError } from './snapshot-error.js';
export { validateSnapshot, schemaPath, API_VERSION } from './validate.js';
export { sourceOfFileName, impliedCommand, fileNameOfSource } from './source-files.js';
export { findRepoRoot, realCorpusDir, sourceDirOf } from './repo-root.js';
export * from './types.js';
