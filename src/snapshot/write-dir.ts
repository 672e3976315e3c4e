/**
 * @module snapshot/write-dir
 * The inverse of read-directory.ts: a NodeSnapshot as a directory of plain files (used by
 * tests and the lab). `metadata.json` keeps the metadata and the command lines, so reading
 * the directory back gives the same snapshot.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileNameOfSource, impliedCommand } from './source-files.js';
import type { NodeSnapshot, SourceOutput } from './types.js';

export async function writeSnapshotDir(snapshot: NodeSnapshot, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const commands: Record<string, string> = {};
  await writeSources(snapshot.sources, dir, '', commands);
  for (const ns of snapshot.netns ?? []) {
    const nsDir = join(dir, 'netns', ns.name);
    await mkdir(nsDir, { recursive: true });
    await writeSources(ns.sources, nsDir, `netns/${ns.name}/`, commands);
    if (ns.pod) await writeFile(join(nsDir, 'pod.json'), JSON.stringify(ns.pod, null, 2) + '\n');
  }
  const meta: Record<string, unknown> = { ...snapshot.metadata };
  if (Object.keys(commands).length > 0) meta.commands = commands;
  await writeFile(join(dir, 'metadata.json'), JSON.stringify(meta, null, 2) + '\n');
}

/** commands that differ from the implied ones, keyed `<id>` or `netns/<name>/<id>` */
async function writeSources(
  sources: Record<string, SourceOutput>,
  dir: string,
  key: string,
  commands: Record<string, string>,
): Promise<void> {
  for (const [id, s] of Object.entries(sources)) {
    const name = fileNameOfSource(id, s.stdout);
    await writeFile(join(dir, name), s.stdout);
    if (s.stderr !== undefined && s.stderr !== '') await writeFile(join(dir, `${id}.stderr`), s.stderr);
    if (s.exitCode !== 0) await writeFile(join(dir, `${id}.exitcode`), `${s.exitCode}\n`);
    if (s.command !== impliedCommand(id, name.endsWith('.json'), name)) commands[key + id] = s.command;
  }
}
