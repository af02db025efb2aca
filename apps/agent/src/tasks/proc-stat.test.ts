import { describe, expect, it } from 'vitest';
import { parseProcStat } from './proc-stat.js';

describe('parseProcStat', () => {
  it('reads a line whose command name holds spaces and parentheses', () => {
    const line = '4242 (my (odd) name) S 1 4242 4242 0 -1 4194560 120 0 0 0 7 3 0 0 20 0 1 0 987654 4096000 321 18446744073709551615';
    expect(parseProcStat(line)).toEqual({
      pid: 4242, state: 'S', ppid: 1, pgrp: 4242, session: 4242, utime: 7, stime: 3, starttime: '987654', rssPages: 321,
    });
  });

  it('refuses a truncated line', () => {
    expect(parseProcStat('12 (sh) S 1 2')).toBeNull();
  });
});
