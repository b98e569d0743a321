import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { machineLine, type Machine } from './machine.js';
import type { Row } from './row.js';
import { markdownTable } from './table.js';

export interface Report {
  machine: Machine;
  quick: boolean;
  only: string[] | null;
  durationSec: number;
  rows: Row[];
  /** Cases that could not run, with why. */
  failures: { case: string; error: string }[];
}

/**
 * Writes latest.json and latest.md, and a dated copy of each, into `directory`. A --quick or
 * --only run is written as partial.json and partial.md only: it never replaces a full run.
 */
export async function writeReport(directory: string, report: Report): Promise<string[]> {
  await mkdir(directory, { recursive: true });
  const partial = report.quick || report.only !== null;
  const stamp = report.machine.date.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
  const base = partial ? 'partial' : 'latest';
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const markdown = renderMarkdown(report);
  const files: [string, string][] = [
    [`${base}.json`, json],
    [`${base}.md`, markdown],
  ];
  if (!partial) files.push([`${stamp}.json`, json], [`${stamp}.md`, markdown]);
  for (const [name, content] of files) await writeFile(join(directory, name), content);
  return files.map(([name]) => join(directory, name));
}

export function renderMarkdown(report: Report): string {
  const flags = [report.quick && '--quick', report.only && `--only ${report.only.join(',')}`]
    .filter(Boolean)
    .join(' ');
  return [
    `# Latchkey benchmarks${flags ? ` (${flags})` : ''}`,
    '',
    `${machineLine(report.machine)} · ${Math.round(report.durationSec)} s`,
    '',
    markdownTable(report.rows),
    ...(report.failures.length > 0
      ? ['', '**Failed cases**', '', ...report.failures.map((f) => `- ${f.case}: ${f.error}`)]
      : []),
    '',
  ].join('\n');
}
