import { describe, expect, it } from 'vitest';
import { commandHelp } from '../../bench/flags.js';
import { parseCommand } from '../../bench/cli/help.js';

describe('a command spec', () => {
  const spec = {
    name: 'demo',
    usage: 'demo [--out DIR]',
    description: 'Does one thing.',
    positionals: false,
    flags: {
      out: { type: 'string', arg: 'DIR', help: 'where it goes' },
      long: { type: 'boolean', help: 'word '.repeat(40).trim() },
    },
  } as const;

  it('renders usage, description and one row per flag, long help wrapped under its column', () => {
    const text = commandHelp(spec.usage, spec.description, spec.flags);
    expect(text.split('\n').slice(0, 4)).toEqual(['Usage: bench demo [--out DIR]', '', 'Does one thing.', '']);
    expect(text).toContain('  --out DIR  where it goes\n');
    const rows = text.split('\n').filter((l) => l.includes('word'));
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows.slice(1)) expect(row.startsWith(' '.repeat(13))).toBe(true);
  });

  it('parses its flags, and on --help prints the help and returns null', () => {
    let out = '';
    expect(parseCommand({ argv: ['--out', 'x'], stdout: (t) => (out += t) }, spec)?.values.out).toBe('x');
    expect(out).toBe('');
    expect(parseCommand({ argv: ['--help'], stdout: (t) => (out += t) }, spec)).toBeNull();
    expect(out).toContain('  -h, --help');
  });

  it('refuses a flag outside its table and a positional it does not take, naming the command', () => {
    const ctx = (argv: string[]) => ({ argv, stdout: () => undefined });
    expect(() => parseCommand(ctx(['--bogus']), spec)).toThrow(/bench demo: Unknown option '--bogus'/);
    expect(() => parseCommand(ctx(['stray']), spec)).toThrow(/bench demo/);
  });
});
