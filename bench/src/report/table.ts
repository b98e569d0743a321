import { formatFigure, formatRatio } from './format.js';
import type { Row } from './row.js';

const HEADERS = ['Case', 'Latchkey', 'Peer', 'Peer figure', 'Ratio', 'Target', 'Met'];

/** The rows as text cells, in HEADERS order; shared by the terminal table and Markdown. */
export function cells(row: Row): string[] {
  return [
    row.case,
    formatFigure(row.latchkey),
    row.peer?.name ?? '–',
    row.peer ? formatFigure(row.peer.figure) : '–',
    row.ratio ? formatRatio(row.ratio) : '–',
    row.target,
    row.met === null ? '–' : row.met ? 'yes' : 'NO',
  ];
}

export function textTable(rows: readonly Row[]): string {
  const body = rows.map(cells);
  const widths = HEADERS.map((header, i) =>
    Math.max(header.length, ...body.map((line) => line[i]!.length)),
  );
  const line = (values: string[]): string =>
    values
      .map((value, i) => value.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const notes = rows.flatMap((row) => (row.note ? [`  ${row.case}: ${row.note}`] : []));
  return [
    line(HEADERS),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...body.map(line),
    ...(notes.length > 0 ? ['', 'Notes:', ...[...new Set(notes)]] : []),
  ].join('\n');
}

export function markdownTable(rows: readonly Row[]): string {
  const escape = (value: string): string => value.replace(/\|/g, '\\|');
  const notes = [
    ...new Set(rows.flatMap((row) => (row.note ? [`- ${row.case}: ${row.note}`] : []))),
  ];
  return [
    `| ${HEADERS.join(' | ')} |`,
    `| ${HEADERS.map(() => '---').join(' | ')} |`,
    ...rows.map((row) => `| ${cells(row).map(escape).join(' | ')} |`),
    ...(notes.length > 0 ? ['', ...notes] : []),
  ].join('\n');
}
